import { z } from 'zod';
import { PlatformAnalysis, TranscriptTurn } from '../events';

/**
 * `GET /calling/call-details?id=…&send_analysis=true` (Ringg API reference, history): the call
 * as Ringg's own records have it. Loose like the webhook schemas: only what we map is typed.
 */
export const CallDetails = z.looseObject({
  status: z.string().nullish(),
  data: z.looseObject({
    id: z.string().nullish(),
    call_direction: z.string().nullish(),
    call_status: z.string().nullish(),
    call_sub_status: z.string().nullish(),
    from_number: z.string().nullish(),
    to_number: z.string().nullish(),
    callee_name: z.string().nullish(),
    agent_id: z.string().nullish(),
    initiation_time: z.string().nullish(),
    recording_url: z.string().nullish(),
    // Named like a URL but documented as the transcript turns themselves.
    transcription_url: z.union([z.array(TranscriptTurn), z.string()]).nullish(),
    call_duration: z.number().nullish(),
    call_cost: z.number().nullish(),
    platform_analysis: PlatformAnalysis.nullish(),
    client_analysis: z.record(z.string(), z.unknown()).nullish(),
  }),
});
export type CallDetails = z.infer<typeof CallDetails>;

const FINAL_STATUSES = new Set(['completed', 'failed', 'error', 'cancelled', 'forwarded']);

/** Whether Ringg considers the call over (so its details are the final word). */
export function isFinalCallStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && FINAL_STATUSES.has(status.toLowerCase());
}

/**
 * The details as the `all_processing_completed` event Ringg would have sent, so reconciliation
 * flows through the same fold as webhooks. `reconciled_from` marks where it came from.
 */
export function toClosingEvent(
  callId: string,
  details: CallDetails
): Record<string, unknown> & { call_id: string; event_type: string } {
  const data = details.data;
  const event: Record<string, unknown> & { call_id: string; event_type: string } = {
    event_type: 'all_processing_completed',
    call_id: callId,
    reconciled_from: 'call-details',
  };
  const copy: Array<[string, unknown]> = [
    ['status', data.call_status],
    ['sub_status', data.call_sub_status],
    ['call_type', data.call_direction],
    ['from_number', data.from_number],
    ['to_number', data.to_number],
    ['agent_id', data.agent_id],
    ['called_on', data.initiation_time],
    ['recording_url', data.recording_url],
    ['call_duration', data.call_duration],
    ['call_cost', data.call_cost],
    ['transcript', Array.isArray(data.transcription_url) ? data.transcription_url : undefined],
    ['platform_analysis', data.platform_analysis],
    ['client_analysis', data.client_analysis],
  ];
  for (const [field, value] of copy) if (value !== undefined && value !== null) event[field] = value;
  return event;
}
