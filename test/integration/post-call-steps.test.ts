import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { postCallSteps } from '../../activities';
import { createHarness, eventually, finishedView, type Harness } from '../helpers/pipeline-harness';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

interface StepView {
  name: string;
  status: string;
  attempts: number;
  lastError: string | null;
  detail: Record<string, unknown> | null;
}

function stepsByName(view: { steps: StepView[] }): Record<string, StepView> {
  return Object.fromEntries(view.steps.map((step) => [step.name, step]));
}

function crmRequestsFor(harness: Harness, callId: string) {
  return harness.services.crmRequests.filter((request) => request.body['callId'] === callId);
}

async function postAll(harness: Harness, events: Record<string, unknown>[]): Promise<void> {
  for (const event of events) expect((await harness.post(event)).status).toBe(200);
}

describe('post-call steps (SQLite store)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('runs every listed step in order, each once, and stores their results', async () => {
    const callId = randomUUID();
    await postAll(harness, harness.callEvents('v3', callId));
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('completed');
    expect(view.steps.map((step: StepView) => step.name)).toEqual(postCallSteps.map((step) => step.name));
    const steps = stepsByName(view);
    expect(steps['reconcileCall']).toMatchObject({ status: 'skipped', detail: { reason: expect.any(String) } });
    expect(steps['archiveRecording']).toMatchObject({ status: 'done', attempts: 1 });
    expect(steps['archiveRecording']?.detail).toMatchObject({ bytes: expect.any(Number), sha256: expect.any(String) });
    expect(harness.services.recordingRequests.filter((url) => url.includes(callId))).toHaveLength(1);
    expect(readdirSync(join(harness.dataDir, 'recordings')).some((file) => file.includes(callId))).toBe(true);
    expect(steps['flagCallbackRequest']).toMatchObject({
      status: 'done',
      detail: { requestedTime: '2026-08-11T11:00:00', timezone: expect.any(String) },
    });
    expect(steps['storeCall']).toMatchObject({ status: 'done', detail: { database: 'sqlite' } });
    expect(steps['updateCrm']).toMatchObject({ status: 'done', detail: { httpStatus: 200 } });

    const [crm] = crmRequestsFor(harness, callId);
    expect(crmRequestsFor(harness, callId)).toHaveLength(1);
    expect(crm?.headers['idempotency-key']).toBe(callId);
    expect(crm?.headers['authorization']).toBe('Bearer crm-secret-token');
    expect(crm?.body).toMatchObject({ callId, status: 'completed', summary: expect.any(String) });

    const stored = await harness.store.getCallView(callId);
    expect(stored?.steps.map((step) => [step.name, step.status])).toEqual([
      ['reconcileCall', 'skipped'],
      ['archiveRecording', 'done'],
      ['flagCallbackRequest', 'done'],
      ['storeCall', 'done'],
      ['updateCrm', 'done'],
    ]);
    expect(await harness.store.isFinished(callId)).toBe(true);
  });

  it('retries a CRM answering 503 twice, then delivers exactly once', async () => {
    const callId = randomUUID();
    harness.services.crmScript.push(503, 503);
    await postAll(harness, harness.callEvents('v2', callId));
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('completed');
    expect(stepsByName(view)['updateCrm']).toMatchObject({ status: 'done', attempts: 3 });
    expect(crmRequestsFor(harness, callId).map((request) => request.answeredWith)).toEqual([503, 503, 200]);
  });

  it('retries a CRM that does not answer within the timeout', async () => {
    const callId = randomUUID();
    harness.services.crmScript.push('hang');
    await postAll(harness, harness.callEvents('v2', callId));
    const view = await finishedView(harness, callId);
    expect(stepsByName(view)['updateCrm']).toMatchObject({ status: 'done', attempts: 2 });
    expect(crmRequestsFor(harness, callId).map((request) => request.answeredWith)).toEqual([0, 200]);
  });

  it('fails the workflow naming updateCrm on a 400, after storage has still been done', async () => {
    const callId = randomUUID();
    harness.services.crmScript.push(400);
    await postAll(harness, harness.callEvents('v3', callId));
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('failed');
    const steps = stepsByName(view);
    expect(steps['storeCall']?.status).toBe('done');
    expect(steps['updateCrm']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(steps['updateCrm']?.lastError).toMatch(/400/);
    expect(crmRequestsFor(harness, callId)).toHaveLength(1);

    const stored = await harness.store.getCallView(callId);
    expect(stored?.status).toBe('failed');
    expect(stored?.steps.find((step) => step.name === 'updateCrm')?.status).toBe('failed');

    const failure = await harness.client.workflow
      .getHandle(callId)
      .result()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(/updateCrm/);
    const description = await harness.client.workflow.getHandle(callId).describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.searchAttributes['CallStatus']).toEqual(['failed']);
  });

  it('fails archiveRecording permanently for a non-audio answer while the other steps still run', async () => {
    const callId = randomUUID();
    const events = harness
      .callEvents('v2', callId)
      .map((event) =>
        typeof event['recording_url'] === 'string'
          ? { ...event, recording_url: `${harness.services.url}/recordings/${callId}.html` }
          : event
      );
    await postAll(harness, events);
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('failed');
    const steps = stepsByName(view);
    expect(steps['archiveRecording']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(steps['archiveRecording']?.lastError).toMatch(/text\/html/);
    expect(steps['storeCall']?.status).toBe('done');
    expect(steps['updateCrm']?.status).toBe('done');
  });

  it('records the CRM step as skipped when CRM_URL is unset', async () => {
    const noCrm = await createHarness({ withoutCrm: true });
    try {
      const callId = randomUUID();
      await postAll(noCrm, noCrm.callEvents('v2', callId));
      const view = await finishedView(noCrm, callId);
      expect(view.status).toBe('completed');
      expect(stepsByName(view)['updateCrm']).toMatchObject({
        status: 'skipped',
        detail: { reason: 'CRM_URL not set' },
      });
      expect(noCrm.services.crmRequests).toHaveLength(0);
    } finally {
      await noCrm.close();
    }
  });

  it('answers already_completed without starting a run for a call the store knows is finished', async () => {
    const callId = randomUUID();
    // As after namespace retention dropped the closed workflow: only the store remembers the call.
    await harness.store.recordStepResults({ callId, status: 'completed', steps: [] });
    const [event] = harness.callEvents('v3', callId);
    const response = await harness.post(event);
    expect(response.body.status).toBe('already_completed');
    await expect(harness.client.workflow.getHandle(callId).describe()).rejects.toThrow();
  });

  it('closes at once, running no step, a run started for a call the store knows is finished', async () => {
    const callId = randomUUID();
    await harness.store.recordStepResults({ callId, status: 'completed', steps: [] });
    const handle = await harness.client.workflow.start('callWorkflow', {
      workflowId: callId,
      taskQueue: harness.taskQueue,
      args: [{ idleTimeout: 60_000 }],
    });
    await expect(handle.result()).resolves.toMatchObject({ callId, status: 'already_finished', steps: [] });
    expect(crmRequestsFor(harness, callId)).toHaveLength(0);
  });

  it('updates the stored Ringg status as progress events arrive, before the call completes', async () => {
    const callId = randomUUID();
    const events = harness.callEvents('v3', callId);
    const byType = (type: string) => events.filter((event) => event['event_type'] === type);
    await postAll(harness, byType('call_started'));
    const registered = await eventually(async () => {
      const view = await harness.store.getCallView(callId);
      return view?.callStatus === 'ongoing' ? view : undefined;
    });
    expect(registered.status).toBe('in_progress');
    await postAll(harness, byType('call_completed'));
    const completed = await eventually(async () => {
      const view = await harness.store.getCallView(callId);
      return view?.callStatus === 'completed' ? view : undefined;
    });
    expect(completed.status).toBe('in_progress');
    expect(completed.agentId).toEqual(expect.any(String));
  });
});

describe('post-call steps on PostgreSQL', () => {
  let postgres: TestPostgres;
  let harness: Harness;
  beforeAll(async () => {
    postgres = await startPostgres();
    harness = await createHarness({ databaseUrl: postgres.url });
  });
  afterAll(async () => {
    await harness?.close();
    await postgres?.stop();
  });

  it('stores each call exactly once after duplicates, reordering and a retried step', async () => {
    const callIds = [randomUUID(), randomUUID(), randomUUID()];
    harness.services.crmScript.push(503);
    await Promise.all(
      callIds.map(async (callId) => {
        const events = harness.callEvents('v3', callId).reverse();
        const closing = events.shift();
        await Promise.all([...events, ...events].map((event) => harness.post(event)));
        await harness.post(closing);
      })
    );
    for (const callId of callIds) expect((await finishedView(harness, callId)).status).toBe('completed');

    const db = new PgClient({ connectionString: postgres.url });
    await db.connect();
    try {
      const calls = await db.query('SELECT call_id, status FROM calls WHERE call_id = ANY($1)', [callIds]);
      expect(calls.rows).toHaveLength(3);
      expect(calls.rows.every((row) => row.status === 'completed')).toBe(true);
      const events = await db.query(
        'SELECT call_id, count(*)::int AS n, sum(deliveries)::int AS deliveries FROM call_events WHERE call_id = ANY($1) GROUP BY call_id',
        [callIds]
      );
      for (const row of events.rows) {
        expect(row.n).toBe(8);
        expect(row.deliveries).toBe(15);
      }
    } finally {
      await db.end();
    }
    const crmCounts = callIds.map(
      (callId) => crmRequestsFor(harness, callId).filter((r) => r.answeredWith === 200).length
    );
    expect(crmCounts).toEqual([1, 1, 1]);
  });
});
