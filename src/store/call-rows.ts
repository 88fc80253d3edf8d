import type { SchemaIssue } from '../events';
import type { CallRecord, CompletionReason, PipelineStatus, StepResult } from '../../workflows/call-record';
import type { CallView, CallViewAttempt } from '../../workflows/call-view';

/**
 * How a database hands back JSON and time columns: SQLite returns the stored text,
 * node-postgres parses JSONB and returns TIMESTAMPTZ as a Date.
 */
export interface RowCodec {
  json(value: unknown): unknown;
  time(value: unknown): string | null;
}

export const textCodec: RowCodec = {
  json: (value) => (typeof value === 'string' ? JSON.parse(value) : null),
  time: (value) => (typeof value === 'string' ? value : null),
};

export const postgresCodec: RowCodec = {
  json: (value) => value ?? null,
  time: (value) => (value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null),
};

export type Row = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function object<T>(value: unknown): T | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : null;
}

function array<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function toRecord(row: Row, codec: RowCodec): CallRecord {
  const completionReason = text(row['completion_reason']) as CompletionReason | null;
  const completedAt = codec.time(row['completed_at']);
  return {
    callId: String(row['call_id']),
    status: row['status'] as PipelineStatus,
    callStatus: text(row['call_status']),
    subStatus: text(row['sub_status']),
    agentId: text(row['agent_id']),
    agentName: text(row['agent_name']),
    workspaceId: text(row['workspace_id']),
    direction: text(row['direction']),
    toNumber: text(row['to_number']),
    fromNumber: text(row['from_number']),
    durationSeconds: number(row['duration_seconds']),
    cost: number(row['cost']),
    recordingUrl: text(row['recording_url']),
    summary: text(row['summary']),
    classification: text(row['classification']),
    transcript: array(codec.json(row['transcript'])),
    platformAnalysis: object(codec.json(row['platform_analysis'])),
    clientAnalysis: object(codec.json(row['client_analysis'])),
    customArgs: object(codec.json(row['custom_args'])),
    finalPayload: object(codec.json(row['final_payload'])),
    dialAttempts: number(row['dial_attempts']) ?? 0,
    completion: completionReason && completedAt ? { reason: completionReason, completedAt } : null,
  };
}

function toAttempt(payload: Record<string, unknown>): CallViewAttempt {
  return {
    retryCount: number(payload['retry_count']),
    status: text(payload['status']),
    subStatus: text(payload['sub_status']),
    calledOn: text(payload['called_on']),
  };
}

/** The stored call as `GET /calls/:call_id` shows it; mirrors workflows/to-call-view.ts. */
export function toCallView(callRow: Row, eventRows: Row[], codec: RowCodec): CallView {
  const record = toRecord(callRow, codec);
  const events = eventRows.map((row) => ({
    key: String(row['event_key']),
    eventType: String(row['event_type']),
    firstReceivedAt: codec.time(row['first_received_at']) ?? '',
    lastReceivedAt: codec.time(row['last_received_at']) ?? '',
    deliveries: number(row['deliveries']) ?? 0,
    schemaIssues: array<SchemaIssue>(codec.json(row['schema_issues'])),
    payload: object<Record<string, unknown>>(codec.json(row['payload'])) ?? {},
  }));
  return {
    callId: record.callId,
    // The pipeline is done only once the final step results are stored.
    status: callRow['finished_at'] ? record.status : 'in_progress',
    callStatus: record.callStatus,
    subStatus: record.subStatus,
    agentId: record.agentId,
    workspaceId: record.workspaceId,
    events: events.map(({ payload: _payload, ...event }) => event),
    attempts: events
      .filter((event) => event.eventType === 'call_completed')
      .map((event) => toAttempt(event.payload))
      .sort((a, b) => (a.retryCount ?? -1) - (b.retryCount ?? -1)),
    steps: array<StepResult>(codec.json(callRow['steps'])),
    record,
    source: 'store',
  };
}
