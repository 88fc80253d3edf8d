import type { ActivityOptions } from '@temporalio/common';
import type { CallEventDelivery } from '../src/events';
import type { CompletedCall } from '../workflows/call-record';
import type { StepDeps } from './step-deps';

export interface StepOutcome {
  status: 'done' | 'skipped';
  /** Facts worth keeping on the call record (shown in the call view and stored). */
  detail?: Record<string, unknown>;
  /** Events the step found (e.g. reconciliation): folded into the call before the next step runs. */
  deliveries?: CallEventDelivery[];
}

/**
 * A post-call business step: one file in `activities/`, one line in `postCallSteps`.
 * `run` must be idempotent, keyed by the call id: it may run again after a retry or a
 * worker crash. Throw `ApplicationFailure.nonRetryable` for failures that retrying cannot fix.
 */
export interface PostCallStep {
  /** The activity name shown in the Temporal UI. */
  name: string;
  /** This step's own timeout and retry policy. */
  options: ActivityOptions;
  run(call: CompletedCall, deps: StepDeps): Promise<StepOutcome>;
}

/** A step as the workflow records it in history when a call completes. */
export interface PlannedStep {
  name: string;
  options: ActivityOptions;
}

export interface StepActivityResult extends StepOutcome {
  attempt: number;
}
