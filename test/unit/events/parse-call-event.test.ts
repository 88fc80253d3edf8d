import { CALL_EVENT_TYPES, parseCallEvent } from '../../../src/events';
import { allFixtures, loadFixture } from '../../fixtures/ringg';

const fixtures = Object.entries(allFixtures());

function accepted(body: unknown) {
  const result = parseCallEvent(body);
  if (!result.ok) throw new Error(`expected the body to be accepted, got ${JSON.stringify(result.issues)}`);
  return result;
}

function rejected(body: unknown) {
  const result = parseCallEvent(body);
  if (result.ok) throw new Error('expected the body to be rejected');
  return result;
}

describe('parseCallEvent', () => {
  describe('fixtures', () => {
    it('has at least one fixture for every documented event type', () => {
      const types = new Set(fixtures.map(([, payload]) => payload.event_type));
      expect([...types].sort()).toEqual([...CALL_EVENT_TYPES].sort());
    });

    it.each(fixtures)('accepts %s with no schema issues', (_name, payload) => {
      const result = accepted(payload);
      expect(result.schemaIssues).toEqual([]);
    });

    it.each(fixtures)('passes %s through deep-equal to the input', (_name, payload) => {
      const input = structuredClone(payload);
      expect(accepted(payload).payload).toEqual(input);
    });
  });

  describe('unknown fields', () => {
    it('keeps unknown top-level and nested fields of a call_completed untouched', () => {
      const body = loadFixture('call_completed.v3-extra-fields');
      const { payload } = accepted(body);
      expect(payload['trace']).toEqual({ span_id: '7f3a9c2e', hops: 3 });
      expect(payload['custom_args_values']).toMatchObject({ crm: { lead_id: 'LD-20931', tags: ['festive', 'warm'] } });
      expect(payload['tool_call_logs']).toEqual(body['tool_call_logs']);
      expect((payload['transcript'] as unknown[])[1]).toEqual({
        user: 'Yes, speaking.',
        confidence: 0.91,
        language: 'en-IN',
        words: [{ w: 'Yes', start: 0.12 }],
      });
      expect((payload['attempts'] as unknown[])[0]).toMatchObject({ carrier_code: 200, provider_ref: 'pl-88231' });
    });

    it('keeps unknown keys inside analysis_data of a platform_analysis_completed', () => {
      const { payload, schemaIssues } = accepted(loadFixture('platform_analysis_completed.v3-extra-fields'));
      expect(schemaIssues).toEqual([]);
      expect(payload['analysis_data']).toMatchObject({
        language_detected: 'hi-en',
        quality: { talk_ratio: 0.46, dead_air_seconds: 3.2 },
      });
    });

    it('keeps unknown keys inside platform_analysis and client_analysis of an all_processing_completed', () => {
      const body = loadFixture('all_processing_completed.v3-extra-fields');
      const { payload } = accepted(body);
      expect(payload['platform_analysis']).toMatchObject({ entities: { amount_inr: 4000000 } });
      expect(payload['client_analysis']).toMatchObject({ nested: { deeper: { deepest: [1, 'two', { three: 3 }] } } });
    });

    it('accepts a field no doc version has ever shown, on an otherwise minimal event', () => {
      const body = { call_id: 'c-1', event_type: 'recording_completed', brand_new: { a: [1, null] } };
      const result = accepted(body);
      expect(result.schemaIssues).toEqual([]);
      expect(result.payload).toEqual(body);
    });
  });

  describe('envelope', () => {
    const base = loadFixture('call_completed.v3');
    const without = (field: string) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== field));

    it.each<[string, unknown, (string | number)[]]>([
      ['call_id is missing', without('call_id'), ['call_id']],
      ['call_id is empty', { ...base, call_id: '' }, ['call_id']],
      ['call_id is 256 characters', { ...base, call_id: 'a'.repeat(256) }, ['call_id']],
      ['call_id contains a control character', { ...base, call_id: 'abc\ndef' }, ['call_id']],
      ['call_id contains a C1 control character', { ...base, call_id: 'abc\u0085def' }, ['call_id']],
      ['call_id is a number', { ...base, call_id: 42 }, ['call_id']],
      ['event_type is missing', without('event_type'), ['event_type']],
      ['event_type is not a string', { ...base, event_type: 7 }, ['event_type']],
      ['event_type is empty', { ...base, event_type: '' }, ['event_type']],
      ['the body is an array', [base], []],
      ['the body is null', null, []],
      ['the body is a string', 'call_completed', []],
    ])('rejects the body with an issue at the path when %s', (_case, body, path) => {
      const { issues } = rejected(body);
      expect(issues.map((issue) => issue.path)).toContainEqual(path);
      expect(issues.every((issue) => issue.message.length > 0)).toBe(true);
    });

    it('accepts a call_id of exactly 255 characters', () => {
      expect(accepted({ ...base, call_id: 'a'.repeat(255) }).payload.call_id).toHaveLength(255);
    });

    it('names both fields when call_id and event_type are both invalid', () => {
      const { issues } = rejected({ call_id: '', event_type: null });
      expect(issues.map((issue) => issue.path[0]).sort()).toEqual(['call_id', 'event_type']);
    });
  });

  describe('typed drift', () => {
    it('accepts call_duration sent as a string and names the field', () => {
      const body = { ...loadFixture('call_completed.v3'), call_duration: '94.51' };
      const result = accepted(body);
      expect(result.payload['call_duration']).toBe('94.51');
      expect(result.schemaIssues).toHaveLength(1);
      expect(result.schemaIssues[0]).toMatchObject({ path: ['call_duration'], code: 'invalid_type' });
    });

    it('accepts a transcript sent as one string (the legacy V0 shape) and names the field', () => {
      const body = { ...loadFixture('all_processing_completed.v3'), transcript: 'bot: Hello\nuser: Hi' };
      const result = accepted(body);
      expect(result.payload['transcript']).toBe('bot: Hello\nuser: Hi');
      expect(result.schemaIssues.map((issue) => issue.path)).toEqual([['transcript']]);
    });

    it('names the turn index when one transcript turn has an unknown shape', () => {
      const body = loadFixture('call_completed.v3');
      (body['transcript'] as unknown[]).splice(2, 0, { speaker: 'agent', text: 'Hello' });
      const result = accepted(body);
      expect(result.schemaIssues.map((issue) => issue.path)).toEqual([['transcript', 2]]);
    });

    it('names nested fields inside analysis_data when they drift', () => {
      const body = loadFixture('platform_analysis_completed.v3');
      (body['analysis_data'] as Record<string, unknown>)['key_points'] = 'one long string';
      const result = accepted(body);
      expect(result.schemaIssues.map((issue) => issue.path)).toEqual([['analysis_data', 'key_points']]);
    });

    it('accepts a fractional retry_count and names it', () => {
      const result = accepted({ ...loadFixture('call_completed.v3'), retry_count: 1.5 });
      expect(result.schemaIssues.map((issue) => issue.path)).toEqual([['retry_count']]);
    });
  });

  describe('unknown event types', () => {
    it('accepts an undocumented event_type with the unknown_event_type code', () => {
      const body = {
        call_id: '4c8e2a6f-1b3d-4e5f-a7c9-0d2e4f6a8b1c',
        event_type: 'call_transferred',
        to: '+14155550100',
      };
      const result = accepted(body);
      expect(result.payload).toEqual(body);
      expect(result.schemaIssues).toEqual([
        { path: ['event_type'], code: 'unknown_event_type', message: expect.stringContaining('call_transferred') },
      ]);
    });
  });
});
