import type { CallRecord, PipelineStatus, StepResult } from './call-record';
import type { CallState } from './call-state';
import type { CallView } from './call-view';

function optional<T>(value: unknown, guard: (v: unknown) => v is T): T | null {
  return guard(value) ? value : null;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';

export function toCallView(
  state: CallState,
  record: CallRecord,
  steps: StepResult[],
  status: PipelineStatus
): CallView {
  return {
    callId: state.callId,
    status,
    callStatus: state.callStatus,
    subStatus: state.subStatus,
    agentId: state.agentId,
    workspaceId: state.workspaceId,
    events: state.events.map(({ key, eventType, firstReceivedAt, lastReceivedAt, deliveries, schemaIssues }) => ({
      key,
      eventType,
      firstReceivedAt,
      lastReceivedAt,
      deliveries,
      schemaIssues,
    })),
    attempts: state.events
      .filter((event) => event.eventType === 'call_completed')
      .map((event) => ({
        retryCount: optional(event.payload['retry_count'], isNumber),
        status: optional(event.payload['status'], isString),
        subStatus: optional(event.payload['sub_status'], isString),
        calledOn: optional(event.payload['called_on'], isString),
      }))
      .sort((a, b) => (a.retryCount ?? -1) - (b.retryCount ?? -1)),
    steps,
    record,
    source: 'workflow',
  };
}
