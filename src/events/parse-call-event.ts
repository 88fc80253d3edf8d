import type { z } from 'zod';
import { CallEventEnvelope } from './envelope';
import { isKnownEventType } from './event-types';
import { CallEvent } from './payloads';
import type { SchemaIssue } from './delivery';

export type ParsedCallEvent =
  { ok: true; payload: CallEventEnvelope; schemaIssues: SchemaIssue[] } | { ok: false; issues: SchemaIssue[] };

function toSchemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * Splits a JSON body into "cannot route" (missing/invalid call_id or event_type → 422) and
 * "accepted", where typed-schema drift and unknown event types are reported, not rejected.
 */
export function parseCallEvent(body: unknown): ParsedCallEvent {
  // The common case, a well-formed event of a known type, takes one pass over the payload.
  const typed = CallEvent.safeParse(body);
  if (typed.success) return { ok: true, payload: typed.data, schemaIssues: [] };
  const envelope = CallEventEnvelope.safeParse(body);
  if (!envelope.success) return { ok: false, issues: toSchemaIssues(envelope.error) };
  const payload = envelope.data;
  if (!isKnownEventType(payload.event_type)) {
    return {
      ok: true,
      payload,
      schemaIssues: [
        { path: ['event_type'], code: 'unknown_event_type', message: `unknown event_type "${payload.event_type}"` },
      ],
    };
  }
  return { ok: true, payload, schemaIssues: toSchemaIssues(typed.error) };
}
