import { parseCallEvent } from '../../../src/events';
import { generateCall, isoMicros, type GeneratedCall } from '../../../src/simulate/generate-call';
import { planDeliveries } from '../../../src/simulate/plan-deliveries';
import { createRng } from '../../../src/simulate/prng';

const startedAt = new Date('2026-08-20T09:15:00.000Z');
const ISO_MICROS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const E164 = /^\+[1-9]\d{7,14}$/;

function generateMany(seed: string, count: number): GeneratedCall[] {
  return Array.from({ length: count }, (_, index) => generateCall({ seed, index, startedAt }));
}

const calls = generateMany('unit', 200);
const ofType = (call: GeneratedCall, eventType: string) => call.events.filter((e) => e.event_type === eventType);

describe('generateCall', () => {
  it('gives the same sequence for the same seed and index', () => {
    expect(generateMany('repeatable', 20)).toEqual(generateMany('repeatable', 20));
  });

  it('gives different calls for different seeds or indexes', () => {
    const a = generateCall({ seed: 'a', index: 0, startedAt });
    expect(generateCall({ seed: 'b', index: 0, startedAt }).callId).not.toBe(a.callId);
    expect(generateCall({ seed: 'a', index: 1, startedAt }).callId).not.toBe(a.callId);
    expect(new Set(calls.map((call) => call.callId)).size).toBe(calls.length);
  });

  it('produces payloads that parse with no schema issues', () => {
    for (const call of calls) {
      for (const payload of call.events) {
        // Through JSON so the check sees exactly what the receiver gets over HTTP.
        const parsed = parseCallEvent(JSON.parse(JSON.stringify(payload)));
        expect(parsed).toMatchObject({ ok: true, schemaIssues: [] });
        expect(payload.call_id).toBe(call.callId);
      }
    }
  });

  it('uses UUID call ids, E.164 numbers and microsecond UTC timestamps', () => {
    for (const call of calls) {
      expect(call.callId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const values = (fields: readonly string[]): unknown[] =>
        call.events.flatMap((payload) => fields.map((field) => payload[field]).filter((v) => v !== undefined));
      for (const number of values(['to_number', 'from_number'])) expect(number).toMatch(E164);
      const times = values(['timestamp', 'called_on', 'created_at']).filter((v) => v !== null);
      expect(times.length).toBeGreaterThan(0);
      for (const time of times) expect(time).toMatch(ISO_MICROS_Z);
    }
  });

  it('ends every call in a consistent state', () => {
    for (const call of calls) {
      const [first] = call.events;
      expect(first).toMatchObject({ event_type: 'call_started', status: 'registered', sub_status: 'QUEUED' });
      expect(first?.event_id).toEqual(expect.any(String));
      expect(first?.version).toBe('1.0');

      const apc = ofType(call, 'all_processing_completed');
      expect(apc).toHaveLength(1);
      expect(call.events[call.events.length - 1]).toBe(apc[0]);
      expect(apc[0]?.status).toBe(call.finalStatus);

      const completed = ofType(call, 'call_completed');
      const retryCounts = completed.map((e) => e.retry_count as number);
      expect(retryCounts).toEqual(retryCounts.map((_, i) => i));
      expect(completed.slice(0, -1).every((e) => e.status === 'retry')).toBe(true);
      expect(completed[completed.length - 1]?.status).toBe(call.finalStatus);

      expect(ofType(call, 'platform_analysis_completed')).toHaveLength(1);
      expect(ofType(call, 'client_analysis_completed')).toHaveLength(1);
      expect(ofType(call, 'call_started').length).toBeLessThanOrEqual(2);
    }
  });

  it('gives failed calls no recording and an empty transcript', () => {
    const failed = calls.filter((call) => call.finalStatus !== 'completed');
    expect(failed.length).toBeGreaterThan(0);
    for (const call of failed) {
      expect(ofType(call, 'recording_completed')).toHaveLength(0);
      const apc = ofType(call, 'all_processing_completed')[0];
      expect(apc).toMatchObject({ transcript: [], recording_url: null, call_duration: null });
      expect(['failed', 'error']).toContain(apc?.status);
    }
  });

  it('gives connected calls a recording, a bot/user transcript and analyses', () => {
    for (const call of calls.filter((c) => c.finalStatus === 'completed')) {
      const [rc] = ofType(call, 'recording_completed');
      expect(rc?.recording_url).toBe(`https://recordings.example.invalid/${call.callId}.mp3`);
      expect(rc).not.toHaveProperty('agent_id');
      const apc = ofType(call, 'all_processing_completed')[0] as Record<string, unknown>;
      const transcript = apc['transcript'] as Record<string, string>[];
      expect(transcript.length).toBeGreaterThan(0);
      for (const turn of transcript)
        expect(Object.keys(turn).length === 1 && ('bot' in turn || 'user' in turn)).toBe(true);
      expect(apc['agent_message_count']).toBe(transcript.filter((turn) => 'bot' in turn).length);
      expect(apc['platform_analysis']).toMatchObject({
        summary: expect.any(String),
        classification: expect.any(String),
      });
      expect(apc['platform_analysis_status']).toBe('success');
    }
  });

  it('covers the interesting variants across a run', () => {
    expect(new Set(calls.map((call) => call.scenario)).size).toBe(5);
    expect(new Set(calls.map((call) => call.agentId)).size).toBeGreaterThan(1);
    expect(new Set(calls.map((call) => call.workspaceId)).size).toBeGreaterThan(1);
    expect(calls.some((call) => ofType(call, 'call_completed').length === 2)).toBe(true);
    expect(calls.some((call) => ofType(call, 'call_started').some((e) => e.status === 'ongoing'))).toBe(true);
    expect(calls.some((call) => ofType(call, 'call_completed').some((e) => e.sub_status === 'busy line'))).toBe(true);
  });

  it('points recordings at the given base URL', () => {
    const call = calls.findIndex((c) => c.finalStatus === 'completed');
    const generated = generateCall({
      seed: 'unit',
      index: call,
      startedAt,
      recordingBaseUrl: 'http://127.0.0.1:9000/rec/',
    });
    const [rc] = ofType(generated, 'recording_completed');
    expect(rc?.recording_url).toBe(`http://127.0.0.1:9000/rec/${generated.callId}.mp3`);
  });
});

describe('isoMicros', () => {
  it('formats epoch microseconds with six fraction digits and Z', () => {
    expect(isoMicros(Date.UTC(2026, 7, 20, 9, 15, 0, 123) * 1000 + 456)).toBe('2026-08-20T09:15:00.123456Z');
  });
});

describe('planDeliveries', () => {
  const events = calls[0]?.events ?? [];

  it('delivers every event once plus K repeats', () => {
    const plan = planDeliveries(events, { duplicates: 2, shuffle: true }, createRng('plan'));
    const deliveries = plan.flat();
    expect(deliveries).toHaveLength(events.length * 3);
    for (const event of events) expect(deliveries.filter((d) => d.payload === event)).toHaveLength(3);
  });

  it('keeps the emission order of first deliveries without shuffle', () => {
    const plan = planDeliveries(events, { duplicates: 1, shuffle: false }, createRng('plan'));
    const firsts = plan.flat().filter((d) => d.copy === 0);
    expect(firsts.map((d) => d.payload)).toEqual(events);
    expect(plan.flat()).toHaveLength(events.length * 2);
  });

  it('is reproducible from the seed', () => {
    const a = planDeliveries(events, { duplicates: 1, shuffle: true }, createRng('same'));
    const b = planDeliveries(events, { duplicates: 1, shuffle: true }, createRng('same'));
    expect(a).toEqual(b);
  });
});
