import type { SchemaIssue } from '../src/events';
import type { CallRecord, PipelineStatus, StepResult } from './call-record';

export interface CallViewEvent {
  key: string;
  eventType: string;
  firstReceivedAt: string;
  lastReceivedAt: string;
  deliveries: number;
  schemaIssues: SchemaIssue[];
}

export interface CallViewAttempt {
  retryCount: number | null;
  status: string | null;
  subStatus: string | null;
  calledOn: string | null;
}

/** What `GET /calls/:call_id` returns, from the running workflow's query or from the store. */
export interface CallView {
  callId: string;
  status: PipelineStatus;
  callStatus: string | null;
  subStatus: string | null;
  agentId: string | null;
  workspaceId: string | null;
  events: CallViewEvent[];
  attempts: CallViewAttempt[];
  steps: StepResult[];
  record: CallRecord;
  source: 'workflow' | 'store';
}
