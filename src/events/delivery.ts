import { z } from 'zod';
import { CallEventEnvelope } from './envelope';

/** One schema problem in an accepted payload: recorded on the call, never a reason to reject it. */
export const SchemaIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
});
export type SchemaIssue = z.infer<typeof SchemaIssue>;

/**
 * The signal argument: one received webhook body plus what the receiver knew when it took it.
 * JSON-only (ISO strings, no Date) because it crosses Temporal's payload converter.
 */
export const CallEventDelivery = z.object({
  /** Unique per HTTP delivery; lets the workflow count deliveries and trace spooled retries. */
  deliveryId: z.string(),
  /** When the receiver accepted the body (ISO 8601). */
  receivedAt: z.string(),
  /** The body exactly as Ringg sent it. */
  payload: CallEventEnvelope,
  /** Empty when the payload matched its typed schema; `unknown_event_type` for event types we have no schema for. */
  schemaIssues: z.array(SchemaIssue),
});
export type CallEventDelivery = z.infer<typeof CallEventDelivery>;
