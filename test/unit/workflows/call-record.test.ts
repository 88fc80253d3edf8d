import { buildCallRecord } from '../../../workflows/call-record';
import { callSequence, loadFixture, type FixturePayload } from '../../fixtures/ringg';
import { foldPayloads, seededShuffle } from './deliveries';

const CALL_ID = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const COMPLETION = { reason: 'all_processing_completed' as const, completedAt: '2026-08-10T09:40:00.000000Z' };

function byType(events: FixturePayload[], eventType: string): FixturePayload {
  const found = events.filter((event) => event.event_type === eventType).at(-1);
  if (!found) throw new Error(`no ${eventType}`);
  return found;
}

function forCall(name: string): FixturePayload {
  return { ...loadFixture(name), call_id: CALL_ID };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}

describe('buildCallRecord', () => {
  describe('a v3 call', () => {
    const events = callSequence('v3', CALL_ID);
    const apc = byType(events, 'all_processing_completed');

    it('consolidates the call from all_processing_completed', () => {
      const record = buildCallRecord(foldPayloads(CALL_ID, events), 'completed', COMPLETION);
      expect(record).toMatchObject({
        callId: CALL_ID,
        status: 'completed',
        callStatus: 'completed',
        subStatus: 'ACCEPTED',
        agentId: '8f14e45f-ceea-4e7a-9b1d-2c3f5a6b7c8d',
        agentName: 'Asha - Home Loans',
        workspaceId: '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
        direction: 'outbound',
        toNumber: '+919876543210',
        fromNumber: '+918045678901',
        durationSeconds: 94.512347,
        cost: 3.42,
        recordingUrl: apc['recording_url'],
        summary: asRecord(apc['platform_analysis'])['summary'],
        classification: 'qualified_lead',
        transcript: apc['transcript'],
        platformAnalysis: apc['platform_analysis'],
        clientAnalysis: apc['client_analysis'],
        customArgs: apc['custom_args_values'],
        finalPayload: apc,
        dialAttempts: 2,
        completion: COMPLETION,
      });
    });

    it('prefers all_processing_completed over the per-stage events wherever they disagree, in any arrival order', () => {
      const changed = events.map((event) =>
        event.event_type === 'all_processing_completed'
          ? {
              ...event,
              recording_url: 'https://recordings.ringg.example/final.mp3',
              transcript: [{ bot: 'Final transcript.' }],
              call_duration: 101.5,
              platform_analysis: {
                ...asRecord(event['platform_analysis']),
                summary: 'Final summary.',
                classification: 'hot_lead',
              },
              client_analysis: { lead_score: 9.5 },
            }
          : event
      );
      for (const seed of [1, 2, 3, 4, 5]) {
        const record = buildCallRecord(foldPayloads(CALL_ID, seededShuffle(changed, seed)), 'completed', COMPLETION);
        expect(record.recordingUrl).toBe('https://recordings.ringg.example/final.mp3');
        expect(record.transcript).toEqual([{ bot: 'Final transcript.' }]);
        expect(record.durationSeconds).toBe(101.5);
        expect(record.summary).toBe('Final summary.');
        expect(record.classification).toBe('hot_lead');
        expect(record.clientAnalysis).toEqual({ lead_score: 9.5 });
      }
    });

    it('counts one dial attempt per call_completed key, not per delivery', () => {
      const redelivered = [...events, byType(events, 'call_completed'), events[2] as FixturePayload];
      expect(buildCallRecord(foldPayloads(CALL_ID, redelivered), 'completed', COMPLETION).dialAttempts).toBe(2);
    });

    it('falls back to call_completed when a field of all_processing_completed drifted', () => {
      const drifted = events.map((event) =>
        event.event_type === 'all_processing_completed' ? { ...event, call_duration: '94.5' } : event
      );
      const record = buildCallRecord(foldPayloads(CALL_ID, drifted), 'completed', COMPLETION);
      expect(record.durationSeconds).toBe(94.512347);
      expect(record.finalPayload?.['call_duration']).toBe('94.5');
    });

    it('builds a partial record from what arrived before an idle timeout', () => {
      const [registered, , retry] = events;
      const record = buildCallRecord(foldPayloads(CALL_ID, [registered, retry]), 'incomplete', {
        reason: 'idle_timeout',
        completedAt: COMPLETION.completedAt,
      });
      expect(record).toMatchObject({
        status: 'incomplete',
        callStatus: 'retry',
        subStatus: 'no answer',
        recordingUrl: null,
        summary: null,
        transcript: [],
        finalPayload: null,
        dialAttempts: 1,
        completion: { reason: 'idle_timeout' },
      });
      expect(record.toNumber).toBe('+919876543210');
    });
  });

  describe('a v2 call', () => {
    it('takes recording, summary, classification and transcript from all_processing_completed', () => {
      const events = callSequence('v2', CALL_ID);
      const apc = byType(events, 'all_processing_completed');
      const record = buildCallRecord(foldPayloads(CALL_ID, events), 'completed', COMPLETION);
      expect(record).toMatchObject({
        callStatus: 'completed',
        subStatus: 'ACCEPTED',
        recordingUrl: apc['recording_url'],
        summary: asRecord(apc['platform_analysis'])['summary'],
        classification: 'qualified_lead',
        transcript: apc['transcript'],
        cost: 2.85,
        dialAttempts: 1,
        finalPayload: apc,
      });
    });
  });

  describe('a v1 call (no call_started, no all_processing_completed)', () => {
    const events = callSequence('v1', CALL_ID);

    it('builds the record from call_completed, recording_completed and both analyses', () => {
      const pa = byType(events, 'platform_analysis_completed');
      const record = buildCallRecord(foldPayloads(CALL_ID, [...events].reverse()), 'incomplete', null);
      expect(record).toMatchObject({
        status: 'incomplete',
        callStatus: 'completed',
        subStatus: null,
        agentName: 'Asha - Home Loans',
        direction: 'outbound',
        durationSeconds: 94.512347,
        cost: 3.15,
        recordingUrl: byType(events, 'recording_completed')['recording_url'],
        summary: asRecord(pa['analysis_data'])['summary'],
        classification: 'qualified_lead',
        platformAnalysis: pa['analysis_data'],
        clientAnalysis: byType(events, 'client_analysis_completed')['analysis_data'],
        transcript: byType(events, 'call_completed')['transcript'],
        finalPayload: null,
        dialAttempts: 1,
        completion: null,
      });
    });

    it('builds a V1a record whose recording_completed carries only the URL', () => {
      const v1a = [
        'call_completed',
        'recording_completed',
        'platform_analysis_completed',
        'client_analysis_completed',
      ].map((type) => forCall(`${type}.v1a`));
      const record = buildCallRecord(foldPayloads(CALL_ID, v1a), 'incomplete', null);
      expect(record.recordingUrl).toBe(v1a[1]?.['recording_url']);
      expect(record.classification).toBe('Qualified Lead');
      expect(record.agentName).toBeNull();
      expect(record.customArgs).toEqual({ callee_name: 'Priya Sharma', mobile_number: '+919876543210' });
    });
  });

  describe('a call that never connected', () => {
    it('records a failed call with no recording, no transcript and no summary', () => {
      const payloads = [
        'call_completed.v3-failed',
        'platform_analysis_completed.v3-unconnected',
        'all_processing_completed.v3-failed',
      ].map((name) => forCall(name));
      const record = buildCallRecord(foldPayloads(CALL_ID, payloads), 'completed', COMPLETION);
      expect(record).toMatchObject({
        callStatus: 'failed',
        subStatus: 'busy line',
        durationSeconds: null,
        cost: null,
        recordingUrl: null,
        transcript: [],
        summary: null,
        classification: null,
        platformAnalysis: {},
        dialAttempts: 1,
      });
    });

    it('keeps the analysis from platform_analysis_completed when all_processing_completed has platform_analysis null', () => {
      const pa = forCall('platform_analysis_completed.v3');
      const apc = forCall('all_processing_completed.v3-no-platform-analysis');
      const record = buildCallRecord(foldPayloads(CALL_ID, [apc, pa]), 'completed', COMPLETION);
      expect(record.platformAnalysis).toEqual(pa['analysis_data']);
      expect(record.summary).toBe(asRecord(pa['analysis_data'])['summary']);
      expect(record.callStatus).toBe('error');
    });

    it('leaves summary and analysis null when nothing carried an analysis', () => {
      const apc = forCall('all_processing_completed.v3-no-platform-analysis');
      const record = buildCallRecord(foldPayloads(CALL_ID, [apc]), 'completed', COMPLETION);
      expect(record.platformAnalysis).toBeNull();
      expect(record.clientAnalysis).toBeNull();
      expect(record.summary).toBeNull();
      expect(record.dialAttempts).toBe(0);
    });
  });

  it('ignores events of an unknown type', () => {
    const events = [
      ...callSequence('v1', CALL_ID),
      {
        call_id: CALL_ID,
        event_type: 'call_transferred',
        recording_url: 'https://elsewhere.example/x.mp3',
        call_type: 'sip',
      },
    ];
    const record = buildCallRecord(foldPayloads(CALL_ID, events), 'completed', COMPLETION);
    expect(record.recordingUrl).toBe(byType(events as FixturePayload[], 'recording_completed')['recording_url']);
    expect(record.direction).toBe('outbound');
  });
});

describe('buildCallRecord with empty analyses', () => {
  it('keeps the platform analysis from PA when APC carries an empty one', () => {
    const callId = 'call-empty-analysis';
    const payloads = callSequence('v3', callId).map((payload) =>
      payload['event_type'] === 'all_processing_completed'
        ? { ...payload, platform_analysis: {}, client_analysis: {} }
        : payload
    );
    const record = buildCallRecord(foldPayloads(callId, payloads), 'completed', null);
    expect(record.summary).not.toBeNull();
    expect(record.platformAnalysis).not.toEqual({});
    expect(record.clientAnalysis).not.toEqual({});
  });
});
