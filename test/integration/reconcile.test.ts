import { randomUUID } from 'node:crypto';
import { createHarness, finishedView, type Harness } from '../helpers/pipeline-harness';

function callDetails(callId: string, recordingUrl: string) {
  return {
    status: 'success',
    data: {
      id: callId,
      call_direction: 'outbound',
      call_status: 'completed',
      call_sub_status: 'ACCEPTED',
      from_number: '+14155550100',
      to_number: '+14155550199',
      callee_name: 'Asha',
      agent_id: 'agent-from-details',
      initiation_time: '2026-08-10T09:30:00.000000Z',
      recording_url: recordingUrl,
      transcription_url: [{ bot: 'Hello, this is Ringg calling.' }, { user: 'Yes, go ahead.' }],
      platform_analysis: { summary: 'Reconciled summary', classification: 'qualified_lead' },
      client_analysis: { interested: true },
    },
  };
}

describe('reconciliation with Ringg call details', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ idleTimeoutMs: 1500, withRinggApi: true });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('completes a call that went quiet from the call-details API, and the later steps see it', async () => {
    const callId = randomUUID();
    harness.services.ringgCallDetails.set(callId, callDetails(callId, harness.services.recordingUrl(callId)));
    const [started, , , finalAttempt] = harness.callEvents('v3', callId);
    await harness.post(started);
    await harness.post(finalAttempt);

    const view = await finishedView(harness, callId);
    expect(view.status).toBe('completed');
    expect(view.record.completion.reason).toBe('reconciled');
    expect(view.record.summary).toBe('Reconciled summary');
    expect(view.record.transcript).toHaveLength(2);
    const steps = Object.fromEntries(view.steps.map((step: { name: string }) => [step.name, step]));
    expect(steps['reconcileCall']).toMatchObject({
      status: 'done',
      detail: { source: 'call-details', callStatus: 'completed' },
    });
    expect(steps['archiveRecording']).toMatchObject({ status: 'done' });
    const crm = harness.services.crmRequests.filter((request) => request.body['callId'] === callId);
    expect(crm).toHaveLength(1);
    expect(crm[0]?.body).toMatchObject({ status: 'completed', summary: 'Reconciled summary' });
    const stored = await harness.store.getCallView(callId);
    expect(stored?.record.completion?.reason).toBe('reconciled');
    expect(stored?.events.map((event) => event.eventType)).toContain('all_processing_completed');
  });

  it('leaves a call Ringg does not know as incomplete, noting why', async () => {
    const callId = randomUUID();
    const [started] = harness.callEvents('v3', callId);
    await harness.post(started);
    const view = await finishedView(harness, callId);
    expect(view.status).toBe('incomplete');
    const reconcile = view.steps.find((step: { name: string }) => step.name === 'reconcileCall');
    expect(reconcile).toMatchObject({ status: 'skipped', detail: { reason: 'Ringg does not know this call' } });
  });
});
