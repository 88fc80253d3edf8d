import type { CallProgress } from '../src/store/call-store';
import type { CompletedCall } from '../workflows/call-record';
import type { PlannedStep } from './post-call-step';

/** The workflow's own bookkeeping activities (not business steps); run as local activities. */
export interface PipelineActivities {
  isCallFinished(callId: string): Promise<boolean>;
  recordCallProgress(progress: CallProgress): Promise<void>;
  planPostCallSteps(): Promise<PlannedStep[]>;
  /**
   * Stores the call as it ended (events that arrived while steps ran included) with its final
   * status and step results, and marks it finished so it never runs again.
   */
  finishCall(call: CompletedCall): Promise<void>;
}
