import type { CallEvent, CallEventEnvelope, PlatformAnalysis, TranscriptTurn } from '../src/events';
import { typedView, type CallState, type ReceivedEvent } from './call-state';

export type PipelineStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Why the workflow stopped waiting for events. */
export type CompletionReason = 'all_processing_completed' | 'idle_timeout' | 'reconciled';

/** Outcome of one post-call step, as stored on the call and shown in the call view. */
export interface StepResult {
  name: string;
  status: 'pending' | 'done' | 'skipped' | 'failed';
  attempts: number;
  lastError: string | null;
  /** Step-specific facts worth keeping (e.g. where a recording was archived). */
  detail: Record<string, unknown> | null;
}

/** The consolidated call: what storage writes and what the CRM receives. */
export interface CallRecord {
  callId: string;
  status: PipelineStatus;
  callStatus: string | null;
  subStatus: string | null;
  agentId: string | null;
  agentName: string | null;
  workspaceId: string | null;
  direction: string | null;
  toNumber: string | null;
  fromNumber: string | null;
  durationSeconds: number | null;
  cost: number | null;
  recordingUrl: string | null;
  summary: string | null;
  classification: string | null;
  transcript: TranscriptTurn[];
  platformAnalysis: PlatformAnalysis | null;
  clientAnalysis: Record<string, unknown> | null;
  customArgs: Record<string, unknown> | null;
  /** The `all_processing_completed` payload as received, when it arrived. */
  finalPayload: CallEventEnvelope | null;
  dialAttempts: number;
  completion: { reason: CompletionReason; completedAt: string } | null;
}

/** What every post-call step receives: the record, the events behind it, and earlier steps' results. */
export interface CompletedCall {
  record: CallRecord;
  events: ReceivedEvent[];
  steps: StepResult[];
}

// Fold order: later types override earlier ones where they carry a value, so the consolidated
// `all_processing_completed` wins and per-attempt fields come from the latest attempt.
const PRECEDENCE: Record<string, number> = {
  call_started: 0,
  call_completed: 1,
  recording_completed: 2,
  platform_analysis_completed: 3,
  client_analysis_completed: 4,
  all_processing_completed: 5,
};

function foldOrder(a: ReceivedEvent, b: ReceivedEvent): number {
  const byType = (PRECEDENCE[a.eventType] ?? -1) - (PRECEDENCE[b.eventType] ?? -1);
  if (byType !== 0) return byType;
  const attemptA = typeof a.payload['retry_count'] === 'number' ? a.payload['retry_count'] : -1;
  const attemptB = typeof b.payload['retry_count'] === 'number' ? b.payload['retry_count'] : -1;
  if (attemptA !== attemptB) return attemptA - attemptB;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function pick<T>(current: T | null, next: T | null | undefined): T | null {
  return next === undefined || next === null ? current : next;
}

/** Like pick, but an empty object (what Ringg may send when an analysis did not run) never replaces one with content. */
function pickObject<T extends object>(current: T | null, next: T | null | undefined): T | null {
  return next && Object.keys(next).length > 0 ? next : current;
}

export function buildCallRecord(
  state: CallState,
  status: PipelineStatus,
  completion: CallRecord['completion']
): CallRecord {
  const record: CallRecord = {
    callId: state.callId,
    status,
    callStatus: state.callStatus,
    subStatus: state.subStatus,
    agentId: null,
    agentName: null,
    workspaceId: null,
    direction: null,
    toNumber: null,
    fromNumber: null,
    durationSeconds: null,
    cost: null,
    recordingUrl: null,
    summary: null,
    classification: null,
    transcript: [],
    platformAnalysis: null,
    clientAnalysis: null,
    customArgs: null,
    finalPayload: null,
    dialAttempts: state.events.filter((event) => event.eventType === 'call_completed').length,
    completion,
  };

  for (const received of [...state.events].sort(foldOrder)) {
    const event: CallEvent | null = typedView(received);
    if (!event) continue;
    record.agentId = pick(record.agentId, event.agent_id);
    record.workspaceId = pick(record.workspaceId, event.workspace_id);
    record.agentName = pick(record.agentName, event.agent_name);
    record.direction = pick(record.direction, event.call_type);
    record.toNumber = pick(record.toNumber, event.to_number);
    record.fromNumber = pick(record.fromNumber, event.from_number);
    record.cost = pick(record.cost, event.call_cost);
    record.customArgs = pickObject(record.customArgs, event.custom_args_values);
    switch (event.event_type) {
      case 'call_completed':
        record.durationSeconds = pick(record.durationSeconds, event.call_duration);
        record.recordingUrl = pick(record.recordingUrl, event.recording_url);
        if (event.transcript?.length) record.transcript = event.transcript;
        break;
      case 'recording_completed':
        record.recordingUrl = pick(record.recordingUrl, event.recording_url);
        break;
      case 'platform_analysis_completed':
        record.durationSeconds = pick(record.durationSeconds, event.call_duration);
        record.platformAnalysis = pickObject(record.platformAnalysis, event.analysis_data);
        if (event.transcript?.length) record.transcript = event.transcript;
        break;
      case 'client_analysis_completed':
        record.durationSeconds = pick(record.durationSeconds, event.call_duration);
        record.clientAnalysis = pickObject(record.clientAnalysis, event.analysis_data);
        if (event.transcript?.length) record.transcript = event.transcript;
        break;
      case 'all_processing_completed':
        record.durationSeconds = pick(record.durationSeconds, event.call_duration);
        record.recordingUrl = pick(record.recordingUrl, event.recording_url);
        record.platformAnalysis = pickObject(record.platformAnalysis, event.platform_analysis);
        record.clientAnalysis = pickObject(record.clientAnalysis, event.client_analysis);
        if (event.transcript?.length) record.transcript = event.transcript;
        record.finalPayload = received.payload;
        break;
      case 'call_started':
        break;
    }
  }
  record.summary = record.platformAnalysis?.summary ?? null;
  record.classification = record.platformAnalysis?.classification ?? null;
  return record;
}
