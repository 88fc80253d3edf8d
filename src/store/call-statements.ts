/*
 * The store's SQL, written once for both databases: SQLite (≥ 3.24) and PostgreSQL share the
 * `INSERT … ON CONFLICT … DO UPDATE … WHERE` upsert, so the two stores only execute these.
 * Parameters are `@name`; `toPositional` rewrites them as `$n` for PostgreSQL.
 */
import type { CallRecord, CompletedCall } from '../../workflows/call-record';
import type { ReceivedEvent } from '../../workflows/call-state';
import { eventKey, statusRank } from '../../workflows/call-state';
import type { CallEventDelivery } from '../events';
import type { CallProgress, StepResults } from './call-store';

export type SqlValue = string | number | null;

export interface Statement {
  sql: string;
  params: Record<string, SqlValue>;
}

const PARAMETER = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/** `@name` parameters → `$1…$n` plus the values in that order (a repeated name reuses its number). */
export function toPositional({ sql, params }: Statement): { text: string; values: SqlValue[] } {
  const positions = new Map<string, number>();
  const values: SqlValue[] = [];
  const text = sql.replace(PARAMETER, (_match, name: string) => {
    let position = positions.get(name);
    if (position === undefined) {
      if (!(name in params)) throw new Error(`SQL parameter @${name} has no value`);
      values.push(params[name] ?? null);
      position = values.length;
      positions.set(name, position);
    }
    return `$${position}`;
  });
  return { text, values };
}

/** Only the parameters the SQL names: better-sqlite3 rejects values it has no place for. */
export function namedParams({ sql, params }: Statement): Record<string, SqlValue> {
  const used: Record<string, SqlValue> = {};
  for (const [, name] of sql.matchAll(PARAMETER)) {
    if (!(name! in params)) throw new Error(`SQL parameter @${name} has no value`);
    used[name!] = params[name!] ?? null;
  }
  return used;
}

/** Canonical ISO time, so both databases store and compare the same instant the same way. */
export function isoTime(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new Error(`${field} is not a valid timestamp: ${JSON.stringify(value)}`);
  return time.toISOString();
}

// An escaped NUL (`\u0000` not itself preceded by an odd run of backslashes).
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * Always stringified: node-postgres would turn a JS array into a PostgreSQL array literal.
 * PostgreSQL's JSONB rejects NUL in strings, so NUL becomes U+FFFD on both databases rather
 * than one payload failing the storage step forever on PostgreSQL only.
 */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value).replace(ESCAPED_NUL, '$1\\ufffd');
}

// Ringg's call status never moves backwards (SPEC §5): a lower-ranked write keeps the stored one.
const KEEP_HIGHER_STATUS = `
  call_status = CASE WHEN excluded.status_rank >= calls.status_rank THEN excluded.call_status ELSE calls.call_status END,
  sub_status = CASE WHEN excluded.status_rank >= calls.status_rank THEN excluded.sub_status ELSE calls.sub_status END,
  status_rank = CASE WHEN excluded.status_rank >= calls.status_rank THEN excluded.status_rank ELSE calls.status_rank END`;

const RECORD_PROGRESS = `
  INSERT INTO calls (call_id, status, call_status, sub_status, status_rank, agent_id, workspace_id, dial_attempts, created_at, updated_at)
  VALUES (@callId, 'in_progress', @callStatus, @subStatus, @statusRank, @agentId, @workspaceId, 0, @now, @now)
  ON CONFLICT (call_id) DO UPDATE SET ${KEEP_HIGHER_STATUS},
    agent_id = COALESCE(calls.agent_id, excluded.agent_id),
    workspace_id = COALESCE(calls.workspace_id, excluded.workspace_id),
    updated_at = excluded.updated_at
  WHERE calls.status = 'in_progress' AND calls.finished_at IS NULL`;

export function recordProgressStatement(progress: CallProgress, now: string): Statement {
  return {
    sql: RECORD_PROGRESS,
    params: {
      callId: progress.callId,
      callStatus: progress.callStatus,
      subStatus: progress.subStatus,
      statusRank: progress.statusRank,
      agentId: progress.agentId,
      workspaceId: progress.workspaceId,
      now,
    },
  };
}

const RECORD_COLUMNS = [
  ['agent_name', 'agentName'],
  ['direction', 'direction'],
  ['to_number', 'toNumber'],
  ['from_number', 'fromNumber'],
  ['duration_seconds', 'durationSeconds'],
  ['cost', 'cost'],
  ['recording_url', 'recordingUrl'],
  ['summary', 'summary'],
  ['classification', 'classification'],
  ['transcript', 'transcript'],
  ['platform_analysis', 'platformAnalysis'],
  ['client_analysis', 'clientAnalysis'],
  ['custom_args', 'customArgs'],
  ['final_payload', 'finalPayload'],
  ['dial_attempts', 'dialAttempts'],
  ['completion_reason', 'completionReason'],
  ['completed_at', 'completedAt'],
] as const;

// Once recordStepResults has finished the call, its final status and steps outrank a late re-save.
const SAVE_CALL = `
  INSERT INTO calls (call_id, status, call_status, sub_status, status_rank, agent_id, workspace_id,
    ${RECORD_COLUMNS.map(([column]) => column).join(', ')}, steps, created_at, updated_at)
  VALUES (@callId, @status, @callStatus, @subStatus, @statusRank, @agentId, @workspaceId,
    ${RECORD_COLUMNS.map(([, param]) => `@${param}`).join(', ')}, @steps, @now, @now)
  ON CONFLICT (call_id) DO UPDATE SET
    status = CASE WHEN calls.finished_at IS NULL THEN excluded.status ELSE calls.status END,
    steps = CASE WHEN calls.finished_at IS NULL THEN excluded.steps ELSE calls.steps END,
    ${KEEP_HIGHER_STATUS},
    agent_id = COALESCE(excluded.agent_id, calls.agent_id),
    workspace_id = COALESCE(excluded.workspace_id, calls.workspace_id),
    ${RECORD_COLUMNS.map(([column]) => `${column} = excluded.${column}`).join(',\n    ')},
    updated_at = excluded.updated_at`;

function recordParams(record: CallRecord): Record<(typeof RECORD_COLUMNS)[number][1], SqlValue> {
  return {
    agentName: record.agentName,
    direction: record.direction,
    toNumber: record.toNumber,
    fromNumber: record.fromNumber,
    durationSeconds: record.durationSeconds,
    cost: record.cost,
    recordingUrl: record.recordingUrl,
    summary: record.summary,
    classification: record.classification,
    transcript: json(record.transcript),
    platformAnalysis: json(record.platformAnalysis),
    clientAnalysis: json(record.clientAnalysis),
    customArgs: json(record.customArgs),
    finalPayload: json(record.finalPayload),
    dialAttempts: record.dialAttempts,
    completionReason: record.completion?.reason ?? null,
    completedAt: record.completion ? isoTime(record.completion.completedAt, 'completion.completedAt') : null,
  };
}

// A snapshot with fewer deliveries is older than the stored one (a stale retry), so it changes nothing.
const SAVE_EVENT = `
  INSERT INTO call_events (call_id, event_key, event_type, first_received_at, last_received_at, deliveries, payload, schema_issues)
  VALUES (@callId, @key, @eventType, @firstReceivedAt, @lastReceivedAt, @deliveries, @payload, @schemaIssues)
  ON CONFLICT (call_id, event_key) DO UPDATE SET
    event_type = excluded.event_type,
    first_received_at = CASE WHEN excluded.first_received_at < call_events.first_received_at
      THEN excluded.first_received_at ELSE call_events.first_received_at END,
    last_received_at = CASE WHEN excluded.last_received_at > call_events.last_received_at
      THEN excluded.last_received_at ELSE call_events.last_received_at END,
    deliveries = excluded.deliveries,
    payload = excluded.payload,
    schema_issues = excluded.schema_issues
  WHERE excluded.deliveries >= call_events.deliveries`;

function saveEventStatement(callId: string, event: ReceivedEvent): Statement {
  return {
    sql: SAVE_EVENT,
    params: {
      callId,
      key: event.key,
      eventType: event.eventType,
      firstReceivedAt: isoTime(event.firstReceivedAt, `events[${event.key}].firstReceivedAt`),
      lastReceivedAt: isoTime(event.lastReceivedAt, `events[${event.key}].lastReceivedAt`),
      deliveries: event.deliveries,
      payload: json(event.payload),
      schemaIssues: json(event.schemaIssues),
    },
  };
}

/** The call row and one row per event key; run them in one transaction. */
export function saveCallStatements({ record, events, steps }: CompletedCall, now: string): Statement[] {
  const call: Statement = {
    sql: SAVE_CALL,
    params: {
      callId: record.callId,
      status: record.status,
      callStatus: record.callStatus,
      subStatus: record.subStatus,
      statusRank: statusRank(record.callStatus),
      agentId: record.agentId,
      workspaceId: record.workspaceId,
      ...recordParams(record),
      steps: json(steps),
      now,
    },
  };
  return [call, ...events.map((event) => saveEventStatement(record.callId, event))];
}

// Only for a finished call: the event is kept, and counted, but nothing about the call changes.
const RECORD_LATE_EVENT = `
  INSERT INTO call_events (call_id, event_key, event_type, first_received_at, last_received_at, deliveries, payload, schema_issues)
  SELECT @callId, @key, @eventType, @receivedAt, @receivedAt, 1, @payload, @schemaIssues
  WHERE EXISTS (SELECT 1 FROM calls WHERE call_id = @callId AND finished_at IS NOT NULL)
  ON CONFLICT (call_id, event_key) DO UPDATE SET
    deliveries = call_events.deliveries + 1,
    last_received_at = CASE WHEN excluded.last_received_at > call_events.last_received_at
      THEN excluded.last_received_at ELSE call_events.last_received_at END`;

export function recordLateEventStatement(delivery: CallEventDelivery): Statement {
  return {
    sql: RECORD_LATE_EVENT,
    params: {
      callId: delivery.payload.call_id,
      key: eventKey(delivery.payload),
      eventType: delivery.payload.event_type,
      receivedAt: isoTime(delivery.receivedAt, 'receivedAt'),
      payload: json(delivery.payload),
      schemaIssues: json(delivery.schemaIssues),
    },
  };
}

// An upsert rather than an UPDATE: the call must read as finished even if its row was never saved.
const RECORD_STEP_RESULTS = `
  INSERT INTO calls (call_id, status, steps, finished_at, created_at, updated_at)
  VALUES (@callId, @status, @steps, @now, @now, @now)
  ON CONFLICT (call_id) DO UPDATE SET
    status = excluded.status,
    steps = excluded.steps,
    finished_at = COALESCE(calls.finished_at, excluded.finished_at),
    updated_at = excluded.updated_at`;

export function recordStepResultsStatement(results: StepResults, now: string): Statement {
  return {
    sql: RECORD_STEP_RESULTS,
    params: { callId: results.callId, status: results.status, steps: json(results.steps), now },
  };
}

export const IS_FINISHED = `SELECT finished_at IS NOT NULL AS finished FROM calls WHERE call_id = @callId`;

export const SELECT_CALL = `
  SELECT call_id, status, call_status, sub_status, agent_id, agent_name, workspace_id, direction, to_number,
    from_number, duration_seconds, cost, recording_url, summary, classification, transcript, platform_analysis,
    client_analysis, custom_args, final_payload, dial_attempts, completion_reason, completed_at, steps, finished_at
  FROM calls WHERE call_id = @callId`;

export const SELECT_EVENTS = `
  SELECT event_key, event_type, first_received_at, last_received_at, deliveries, payload, schema_issues
  FROM call_events WHERE call_id = @callId ORDER BY first_received_at, event_key`;
