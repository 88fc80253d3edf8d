/** The six event types Ringg documents (ringg-webhooks.md §1), in their natural lifecycle order. */
export const CALL_EVENT_TYPES = [
  'call_started',
  'call_completed',
  'recording_completed',
  'platform_analysis_completed',
  'client_analysis_completed',
  'all_processing_completed',
] as const;

export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export function isKnownEventType(value: string): value is CallEventType {
  return (CALL_EVENT_TYPES as readonly string[]).includes(value);
}
