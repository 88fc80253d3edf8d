import type { CallEvent, CallEventDelivery, CallEventEnvelope, SchemaIssue } from '../src/events';

/*
 * The call's state as a pure fold over deliveries. Arrival order never matters: dedupe keys,
 * "latest payload" and Ringg's call status are all decided by what the payloads say, so the
 * same set of deliveries gives the same state in any order (ringg-webhooks.md §3: no ordering).
 */

export interface ReceivedEvent {
  /** Dedupe key within the call: event type, refined per attempt / variant / event_id. */
  key: string;
  eventType: string;
  firstReceivedAt: string;
  lastReceivedAt: string;
  deliveries: number;
  /** The most recently received payload for this key. */
  payload: CallEventEnvelope;
  schemaIssues: SchemaIssue[];
}

export interface CallState {
  callId: string;
  events: ReceivedEvent[];
  /** Ringg's own call status (registered, ongoing, retry, completed, failed…), never moved backwards. */
  callStatus: string | null;
  subStatus: string | null;
  agentId: string | null;
  workspaceId: string | null;
  /** Delivery ids already applied, so a re-forwarded spooled delivery is not counted twice. */
  deliveryIds: string[];
  /** Bumped by every applied delivery; the workflow waits on it for the idle timeout. */
  revision: number;
}

export type DeliveryOutcome = 'new_event' | 'repeat' | 'already_applied';

export function initialCallState(callId: string): CallState {
  return {
    callId,
    events: [],
    callStatus: null,
    subStatus: null,
    agentId: null,
    workspaceId: null,
    deliveryIds: [],
    revision: 0,
  };
}

function stringField(payload: CallEventEnvelope, field: string): string | undefined {
  const value = payload[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberField(payload: CallEventEnvelope, field: string): number | undefined {
  const value = payload[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * `call_id` + `event_type`, refined where Ringg legitimately sends a type more than once:
 * `event_id` when present, one `call_completed` per dial attempt (`retry_count`), and the
 * two V3 `call_started` variants (registered/QUEUED, then ongoing/ACCEPTED).
 */
export function eventKey(payload: CallEventEnvelope): string {
  const eventId = stringField(payload, 'event_id');
  if (eventId) return `${payload.event_type}:${eventId}`;
  if (payload.event_type === 'call_completed') {
    // The status keeps an interim `retry` apart from the final outcome even when both carry the
    // same retry_count, as the V3 doc example does (ringg-webhooks.md §2.8).
    const attempt = numberField(payload, 'retry_count') ?? stringField(payload, 'called_on') ?? 0;
    const status = stringField(payload, 'status')?.toLowerCase();
    return `call_completed:attempt-${attempt}${status ? `:${status}` : ''}`;
  }
  if (payload.event_type === 'call_started') {
    const status = stringField(payload, 'status');
    return status ? `call_started:${status.toLowerCase()}` : 'call_started';
  }
  return payload.event_type;
}

const STATUS_RANK: Record<string, number> = {
  registered: 1,
  ongoing: 2,
  retry: 3,
  completed: 4,
  failed: 4,
  error: 4,
  cancelled: 4,
  forwarded: 4,
};

/** Lifecycle position of a Ringg call status (0 for none or unknown); stored progress never moves to a lower one. */
export function statusRank(status: string | null): number {
  return status ? (STATUS_RANK[status] ?? 0) : 0;
}

// The consolidated event outranks per-attempt ones, and a later attempt outranks an earlier one.
const SOURCE_WEIGHT: Record<string, number> = { all_processing_completed: 2, call_completed: 1 };

// sub_status is the last tie-breaker so two events claiming the same status (e.g. PA and CA)
// give the same sub_status whatever order they arrive in.
type StatusKey = [rank: number, source: number, attempt: number, status: string, subStatus: string];

function statusKey(payload: CallEventEnvelope, status: string): StatusKey {
  return [
    STATUS_RANK[status] ?? 0,
    SOURCE_WEIGHT[payload.event_type] ?? 0,
    numberField(payload, 'retry_count') ?? -1,
    status,
    stringField(payload, 'sub_status') ?? '',
  ];
}

function compareStatusKeys(a: StatusKey, b: StatusKey): number {
  for (let i = 0; i < a.length; i++) {
    const left = a[i] as number | string;
    const right = b[i] as number | string;
    if (left < right) return -1;
    if (left > right) return 1;
  }
  return 0;
}

/** The payload's status, if it carries one, as the lifecycle position it claims. */
function claimedStatus(
  payload: CallEventEnvelope
): { key: StatusKey; status: string; subStatus: string | null } | null {
  const raw = stringField(payload, 'status');
  if (!raw) return null;
  const status = raw.toLowerCase();
  return { key: statusKey(payload, status), status, subStatus: stringField(payload, 'sub_status') ?? null };
}

function recomputeCallStatus(state: CallState): void {
  let best: ReturnType<typeof claimedStatus> = null;
  for (const event of state.events) {
    const claim = claimedStatus(event.payload);
    if (claim && (!best || compareStatusKeys(claim.key, best.key) > 0)) best = claim;
  }
  state.callStatus = best?.status ?? null;
  state.subStatus = best?.subStatus ?? null;
}

function isNewer(candidate: CallEventDelivery, current: ReceivedEvent): boolean {
  // Ringg's own timestamp decides between two copies of one key; receive time breaks ties.
  const candidateTs = stringField(candidate.payload, 'timestamp') ?? '';
  const currentTs = stringField(current.payload, 'timestamp') ?? '';
  if (candidateTs !== currentTs) return candidateTs > currentTs;
  return candidate.receivedAt >= current.lastReceivedAt;
}

/** Applies one delivery to the state in place and says what it was. */
export function applyDelivery(state: CallState, delivery: CallEventDelivery): DeliveryOutcome {
  if (state.deliveryIds.includes(delivery.deliveryId)) return 'already_applied';
  state.deliveryIds.push(delivery.deliveryId);
  state.revision += 1;

  const key = eventKey(delivery.payload);
  const existing = state.events.find((event) => event.key === key);
  let outcome: DeliveryOutcome;
  if (existing) {
    existing.deliveries += 1;
    if (delivery.receivedAt < existing.firstReceivedAt) existing.firstReceivedAt = delivery.receivedAt;
    if (isNewer(delivery, existing)) {
      existing.payload = delivery.payload;
      existing.schemaIssues = delivery.schemaIssues;
    }
    if (delivery.receivedAt > existing.lastReceivedAt) existing.lastReceivedAt = delivery.receivedAt;
    outcome = 'repeat';
  } else {
    state.events.push({
      key,
      eventType: delivery.payload.event_type,
      firstReceivedAt: delivery.receivedAt,
      lastReceivedAt: delivery.receivedAt,
      deliveries: 1,
      payload: delivery.payload,
      schemaIssues: delivery.schemaIssues,
    });
    outcome = 'new_event';
  }

  state.agentId ??= stringField(delivery.payload, 'agent_id') ?? null;
  state.workspaceId ??= stringField(delivery.payload, 'workspace_id') ?? null;
  recomputeCallStatus(state);
  return outcome;
}

export function hasEvent(state: CallState, eventType: string): boolean {
  return state.events.some((event) => event.eventType === eventType);
}

/**
 * The payload as its typed schema describes it: top-level fields that failed validation are
 * left out (every such field is optional), so a drifted payload still contributes the rest.
 */
export function typedView(event: ReceivedEvent): CallEvent | null {
  if (event.schemaIssues.some((issue) => issue.code === 'unknown_event_type')) return null;
  if (event.schemaIssues.length === 0) return event.payload as CallEvent;
  const invalid = new Set(event.schemaIssues.map((issue) => issue.path[0]));
  const view: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(event.payload)) {
    if (!invalid.has(field) || field === 'event_type' || field === 'call_id') view[field] = value;
  }
  return view as CallEvent;
}
