import { z } from 'zod';
import { CallEventEnvelope } from './envelope';

/*
 * One schema per Ringg event type (ringg-webhooks.md §2). Ringg marks no field as required
 * and every doc revision has added fields, so everything but `event_type` and `call_id` is
 * optional, fields shown as null anywhere are nullish, enums are open strings, and every
 * object is loose so unknown keys pass through untouched.
 */

const text = z.string().nullish();
const num = z.number().nullish();
const int = z.number().int().nullish();
const FreeForm = z.record(z.string(), z.unknown());

/** Shape A `{bot}`/`{user}` (optionally with message_id/timestamp, shape C) or shape B `{role, content}`. */
export const TranscriptTurn = z.union([
  z.looseObject({ bot: z.string() }),
  z.looseObject({ user: z.string() }),
  z.looseObject({ role: z.string(), content: z.string() }),
]);
export type TranscriptTurn = z.infer<typeof TranscriptTurn>;

export const CallAttempt = z.looseObject({ status: text, called_on_time: text });
export type CallAttempt = z.infer<typeof CallAttempt>;

export const PlatformAnalysis = z.looseObject({
  summary: text,
  classification: text,
  key_points: z.array(z.string()).nullish(),
  action_items: z.array(z.string()).nullish(),
  sentiment: text,
  call_disconnect_reason: text,
  callback_requested: z.boolean().nullish(),
  callback_requested_time: text,
  status: text,
  timezone: text,
});
export type PlatformAnalysis = z.infer<typeof PlatformAnalysis>;

/** Fields any event may carry (V3 spreads most of them over every type). */
const common = {
  // The envelope's own rule, so a typed parse that passes has also passed the envelope.
  call_id: CallEventEnvelope.shape.call_id,
  event_id: text,
  version: text,
  timestamp: text,
  call_sid: text,
  agent_id: text,
  workspace_id: text,
  agent_name: text,
  version_id: text,
  version_slug: text,
  version_description: text,
  status: text,
  sub_status: text,
  call_type: text,
  calling_source: text,
  to_number: text,
  from_number: text,
  bulk_list_id: text,
  called_on: text,
  created_at: text,
  call_cost: num,
  overall_latency_seconds: num,
  first_utterance_seconds: num,
  custom_args_values: FreeForm.nullish(),
  tool_call_logs: z.array(z.unknown()).nullish(),
};

const conversation = {
  call_duration: num,
  transcript: z.array(TranscriptTurn).nullish(),
  agent_message_count: int,
  user_message_count: int,
};

export const CallStarted = z.looseObject({ ...common, event_type: z.literal('call_started') });
export type CallStarted = z.infer<typeof CallStarted>;

export const CallCompleted = z.looseObject({
  ...common,
  ...conversation,
  event_type: z.literal('call_completed'),
  retry_count: int,
  attempts: z.array(CallAttempt).nullish(),
  recording_url: text,
});
export type CallCompleted = z.infer<typeof CallCompleted>;

export const RecordingCompleted = z.looseObject({
  ...common,
  event_type: z.literal('recording_completed'),
  recording_url: text,
  recording_duration: num,
});
export type RecordingCompleted = z.infer<typeof RecordingCompleted>;

export const PlatformAnalysisCompleted = z.looseObject({
  ...common,
  ...conversation,
  event_type: z.literal('platform_analysis_completed'),
  entity_type: text,
  analysis_data: PlatformAnalysis.nullish(),
});
export type PlatformAnalysisCompleted = z.infer<typeof PlatformAnalysisCompleted>;

export const ClientAnalysisCompleted = z.looseObject({
  ...common,
  ...conversation,
  event_type: z.literal('client_analysis_completed'),
  entity_type: text,
  analysis_data: FreeForm.nullish(),
});
export type ClientAnalysisCompleted = z.infer<typeof ClientAnalysisCompleted>;

export const AllProcessingCompleted = z.looseObject({
  ...common,
  ...conversation,
  event_type: z.literal('all_processing_completed'),
  recording_url: text,
  platform_analysis: PlatformAnalysis.nullish(),
  platform_analysis_status: text,
  client_analysis: FreeForm.nullish(),
  client_analysis_status: text,
});
export type AllProcessingCompleted = z.infer<typeof AllProcessingCompleted>;

export const CallEvent = z.discriminatedUnion('event_type', [
  CallStarted,
  CallCompleted,
  RecordingCompleted,
  PlatformAnalysisCompleted,
  ClientAnalysisCompleted,
  AllProcessingCompleted,
]);
export type CallEvent = z.infer<typeof CallEvent>;
