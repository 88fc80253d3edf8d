import type { CompletedCall, PipelineStatus, StepResult } from '../../workflows/call-record';
import type { CallView } from '../../workflows/call-view';
import type { CallEventDelivery } from '../events';

/** Ringg's call status as it stands mid-call, written as progress events arrive. */
export interface CallProgress {
  callId: string;
  callStatus: string | null;
  subStatus: string | null;
  /** Lifecycle rank of `callStatus` (workflows/call-state.ts `statusRank`); lower ranks never overwrite higher ones. */
  statusRank: number;
  agentId: string | null;
  workspaceId: string | null;
}

export interface StepResults {
  callId: string;
  status: PipelineStatus;
  steps: StepResult[];
}

/**
 * The call store: one row per call, one row per call + event key. Every write is an
 * idempotent upsert, so a retried or re-run activity leaves the same rows.
 */
export interface CallStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending schema migrations; safe to call from several processes at start. */
  migrate(): Promise<void>;
  /** Upserts the call row (status in_progress, never downgrading a finished call) from progress events. */
  recordProgress(progress: CallProgress): Promise<void>;
  /** Upserts the completed call's row and its event rows. */
  saveCall(call: CompletedCall): Promise<void>;
  /** Records the final pipeline status and step outcomes, and marks the call finished. */
  recordStepResults(results: StepResults): Promise<void>;
  /**
   * Keeps an event that arrived after its call finished (answered `already_completed`): its
   * event row is added or its deliveries counted; the call itself is left as it is. A no-op for
   * a call the store does not know as finished.
   */
  recordLateEvent(delivery: CallEventDelivery): Promise<void>;
  /** True once `recordStepResults` has run for the call: its steps must never run again. */
  isFinished(callId: string): Promise<boolean>;
  getCallView(callId: string): Promise<CallView | null>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
