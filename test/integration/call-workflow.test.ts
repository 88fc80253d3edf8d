import { randomUUID } from 'node:crypto';
import type { FixturePayload } from '../fixtures/ringg';
import { createHarness, eventually, finishedView, type Harness } from '../helpers/pipeline-harness';

type Version = 'v1' | 'v2' | 'v3';

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function runsOf(harness: Harness, callId: string): Promise<number> {
  let count = 0;
  for await (const _ of harness.client.workflow.list({ query: `WorkflowId = '${callId}'` })) count++;
  return count;
}

describe('call workflow through the receiver', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ idleTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await harness.close();
  });

  type Delivery = 'in order' | 'shuffled' | 'twice concurrently';

  /** Posts a call's events; "twice concurrently" sends every copy at once, the closing APC pair last. */
  async function deliver(events: FixturePayload[], delivery: Delivery): Promise<number[]> {
    if (delivery === 'in order') return sequentially(events);
    if (delivery === 'shuffled') return sequentially(shuffled(events, 7));
    const closing = events.filter((event) => event['event_type'] === 'all_processing_completed');
    const rest = events.filter((event) => event['event_type'] !== 'all_processing_completed');
    const first = await Promise.all(shuffled([...rest, ...rest], 11).map((event) => harness.post(event)));
    const last = await Promise.all([...closing, ...closing].map((event) => harness.post(event)));
    return [...first, ...last].map((response) => response.status);
  }

  async function sequentially(events: FixturePayload[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const event of events) statuses.push((await harness.post(event)).status);
    return statuses;
  }

  describe.each<[Version, Delivery, number]>([
    ['v2', 'in order', 1],
    ['v3', 'in order', 1],
    ['v2', 'shuffled', 1],
    ['v3', 'shuffled', 1],
    ['v2', 'twice concurrently', 2],
    ['v3', 'twice concurrently', 2],
  ])('a full %s call delivered %s', (version, delivery, copies) => {
    it('ends completed in exactly one workflow with one event per dedupe key and its deliveries counted', async () => {
      const callId = randomUUID();
      const events = harness.callEvents(version, callId);
      const statuses = await deliver(events, delivery);
      expect(statuses.every((status) => status === 200)).toBe(true);

      const view = await finishedView(harness, callId);
      expect(view.status).toBe('completed');
      expect(view.callStatus).toBe('completed');
      expect(await runsOf(harness, callId)).toBe(1);
      const keys: string[] = view.events.map((event: { key: string }) => event.key);
      expect(keys).toHaveLength(events.length);
      expect(new Set(keys).size).toBe(keys.length);
      const deliveries = Object.fromEntries(
        view.events.map((event: { eventType: string; key: string; deliveries: number }) => [
          event.key,
          event.deliveries,
        ])
      );
      // The second closing copy may land after the call has closed (then it is answered already_completed).
      const { all_processing_completed: closing, ...others } = deliveries;
      expect(Object.values(others).every((count) => count === copies)).toBe(true);
      expect(closing).toBeGreaterThanOrEqual(1);
      expect(closing).toBeLessThanOrEqual(copies);
      const expectedAttempts =
        version === 'v3' ? [0, 1] : [events.find((e) => e['event_type'] === 'call_completed')?.['retry_count']];
      expect(view.attempts.map((attempt: { retryCount: number }) => attempt.retryCount)).toEqual(expectedAttempts);
      const stored = await harness.store.getCallView(callId);
      expect(stored?.events.map((event) => event.key).sort()).toEqual([...keys].sort());
      expect(harness.services.crmRequests.filter((request) => request.body['callId'] === callId)).toHaveLength(1);
    });
  });

  it('counts a repeated event as deliveries on one event while the call is open', async () => {
    const callId = randomUUID();
    const [started] = harness.callEvents('v3', callId);
    for (let i = 0; i < 3; i++) expect((await harness.post(started)).body.status).toBe('accepted');
    const view = await eventually(async () => {
      const response = await harness.getCall(callId);
      return response.body.events?.[0]?.deliveries === 3 ? response.body : undefined;
    });
    expect(view.events).toHaveLength(1);
    expect(view.status).toBe('in_progress');
  });

  it('never moves the Ringg status backwards when an older event arrives late', async () => {
    const callId = randomUUID();
    const events = harness.callEvents('v3', callId);
    const finalAttempt = events.filter((event) => event['event_type'] === 'call_completed').at(-1);
    const registered = events[0];
    await harness.post(finalAttempt);
    await eventually(async () => ((await harness.getCall(callId)).body.callStatus === 'completed' ? true : undefined));
    await harness.post(registered);
    const view = await eventually(async () => {
      const body = (await harness.getCall(callId)).body;
      return body.events?.length === 2 ? body : undefined;
    });
    expect(view.callStatus).toBe('completed');
  });

  it('answers already_completed for a late event and starts no new run', async () => {
    const callId = randomUUID();
    const events = harness.callEvents('v2', callId);
    for (const event of events) await harness.post(event);
    await finishedView(harness, callId);
    await eventually(async () => {
      const description = await harness.client.workflow.getHandle(callId).describe();
      return description.status.name === 'COMPLETED' ? true : undefined;
    });
    const late = await harness.post(events[2]);
    expect(late.status).toBe(200);
    expect(late.body).toEqual({
      status: 'already_completed',
      call_id: callId,
      event_type: events[2]?.['event_type'],
      workflow_id: callId,
    });
    expect(await runsOf(harness, callId)).toBe(1);
    // The late copy is still kept: its event row counts the extra delivery.
    const stored = await harness.store.getCallView(callId);
    expect(stored?.events.find((event) => event.eventType === events[2]?.['event_type'])?.deliveries).toBe(2);
    expect(stored?.status).toBe('completed');
  });

  it('is visible and filterable by its search attributes', async () => {
    const callId = randomUUID();
    const events = harness.callEvents('v3', callId);
    for (const event of events) await harness.post(event);
    await finishedView(harness, callId);
    const agentId = String(events.at(-1)?.['agent_id']);
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of harness.client.workflow.list({
        query: `AgentId = '${agentId}' AND CallStatus = 'completed'`,
      })) {
        ids.push(execution.workflowId);
      }
      return ids.includes(callId) ? ids : undefined;
    });
    expect(found).toContain(callId);
  });
});

describe('call workflow idle timeout', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ idleTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('finishes a full V1 call (which has no all_processing_completed) as incomplete with its data', async () => {
    const callId = randomUUID();
    for (const event of harness.callEvents('v1', callId)) expect((await harness.post(event)).status).toBe(200);
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('incomplete');
    expect(view.events).toHaveLength(4);
    expect(view.record.summary).toEqual(expect.any(String));
    expect(view.record.recordingUrl).toBe(harness.services.recordingUrl(callId));
  });

  it('finishes a call that stops sending events as incomplete, and still stores what it has', async () => {
    const callId = randomUUID();
    const [started, ...rest] = harness.callEvents('v3', callId);
    await harness.post(started);
    await harness.post(rest[1]);
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('incomplete');
    expect(view.record.completion.reason).toBe('idle_timeout');
    const stored = await harness.store.getCallView(callId);
    expect(stored?.status).toBe('incomplete');
    expect(stored?.events).toHaveLength(2);
  });
});
