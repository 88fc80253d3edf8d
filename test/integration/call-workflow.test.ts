import { randomUUID } from 'node:crypto';
import { callSequence } from '../fixtures/ringg';
import { createHarness, eventually, type Harness } from '../helpers/pipeline-harness';

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

async function finalView(harness: Harness, callId: string) {
  return eventually(
    async () => {
      const response = await harness.getCall(callId);
      return response.status === 200 && response.body.status !== 'in_progress' ? response.body : undefined;
    },
    45_000,
    `call ${callId} to finish`
  );
}

describe('call workflow through the receiver', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ idleTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await harness.close();
  });

  describe.each<[Version, 'in order' | 'shuffled' | 'twice concurrently']>([
    ['v2', 'in order'],
    ['v3', 'in order'],
    ['v2', 'shuffled'],
    ['v3', 'shuffled'],
    ['v2', 'twice concurrently'],
    ['v3', 'twice concurrently'],
  ])('a full %s call delivered %s', (version, delivery) => {
    it('ends completed in exactly one workflow with one event per dedupe key', async () => {
      const callId = randomUUID();
      const events = callSequence(version, callId);
      if (delivery === 'in order') {
        for (const event of events) expect((await harness.post(event)).status).toBe(200);
      } else if (delivery === 'shuffled') {
        for (const event of shuffled(events, 7)) expect((await harness.post(event)).status).toBe(200);
      } else {
        const responses = await Promise.all(shuffled([...events, ...events], 11).map((event) => harness.post(event)));
        for (const response of responses) {
          expect(response.status).toBe(200);
          expect(['accepted', 'already_completed']).toContain(response.body.status);
        }
      }

      const view = await finalView(harness, callId);
      expect(view.status).toBe('completed');
      expect(await runsOf(harness, callId)).toBe(1);
      const keys = view.events.map((event: { key: string }) => event.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(view.callStatus).toBe('completed');
      if (delivery === 'twice concurrently') {
        // APC closes the call, so a copy posted after the steps finished is answered already_completed
        // instead of being counted; every other copy lands on its event.
        const deliveries = view.events.map((event: { deliveries: number }) => event.deliveries);
        expect(deliveries.every((count: number) => count >= 1 && count <= 2)).toBe(true);
        expect(deliveries.filter((count: number) => count === 2).length).toBeGreaterThan(0);
      } else {
        expect(view.events.every((event: { deliveries: number }) => event.deliveries === 1)).toBe(true);
      }
      if (version === 'v3') {
        expect(view.attempts.map((attempt: { retryCount: number }) => attempt.retryCount)).toEqual([0, 1]);
        expect(keys.filter((key: string) => key.startsWith('call_started')).length).toBe(2);
      }
    });
  });

  it('counts a repeated event as deliveries on one event while the call is open', async () => {
    const callId = randomUUID();
    const [started] = callSequence('v3', callId);
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
    const events = callSequence('v3', callId);
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
    const events = callSequence('v2', callId);
    for (const event of events) await harness.post(event);
    await finalView(harness, callId);
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
  });

  it('is visible and filterable by its search attributes', async () => {
    const callId = randomUUID();
    const events = callSequence('v3', callId);
    for (const event of events) await harness.post(event);
    await finalView(harness, callId);
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

  it('finishes a call that stops sending events as incomplete, and still stores what it has', async () => {
    const callId = randomUUID();
    const [started, ...rest] = callSequence('v3', callId);
    await harness.post(started);
    await harness.post(rest[1]);
    const view = await finalView(harness, callId);
    expect(view.status).toBe('incomplete');
    expect(view.record.completion.reason).toBe('idle_timeout');
    const stored = await harness.store.getCallView(callId);
    expect(stored?.status).toBe('incomplete');
    expect(stored?.events).toHaveLength(2);
  });
});
