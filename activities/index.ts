import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CompletedCall } from '../workflows/call-record';
import { archiveRecording } from './archive-recording';
import { flagCallbackRequest } from './flag-callback-request';
import { reconcileCall } from './reconcile-call';
import type { PipelineActivities } from './pipeline-activities';
import type { PlannedStep, PostCallStep, StepActivityResult } from './post-call-step';
import type { StepDeps } from './step-deps';
import { storeCall } from './store-call';
import { updateCrm } from './update-crm';

/**
 * The post-call steps, in the order they run. Adding a step is one file plus one entry here.
 * The workflow records this plan in its history when a call completes, so changing the list
 * is safe for calls already in flight; keep a removed step registered until none of them names it.
 */
export const postCallSteps: PostCallStep[] = [
  reconcileCall,
  archiveRecording,
  flagCallbackRequest,
  storeCall,
  updateCrm,
];

export type StepActivity = (call: CompletedCall) => Promise<StepActivityResult>;

function attemptOf(): number {
  return Context.current().info.attempt;
}

/** Runs a step, reporting its attempt number on success and failure alike (shown in the call view). */
function asActivity(step: PostCallStep, deps: StepDeps): StepActivity {
  return async (call) => {
    const attempt = attemptOf();
    try {
      return { ...(await step.run(call, deps)), attempt };
    } catch (error) {
      if (error instanceof ApplicationFailure) {
        throw ApplicationFailure.create({
          message: error.message,
          type: error.type ?? step.name,
          nonRetryable: error.nonRetryable ?? false,
          details: [{ attempt }],
          cause: error,
        });
      }
      const message = error instanceof Error ? error.message : String(error);
      throw ApplicationFailure.create({ message, type: step.name, details: [{ attempt }] });
    }
  };
}

export function createActivities(
  deps: StepDeps,
  steps: PostCallStep[] = postCallSteps
): PipelineActivities & Record<string, StepActivity | PipelineActivities[keyof PipelineActivities]> {
  const plan: PlannedStep[] = steps.map(({ name, options }) => ({ name, options }));
  const pipeline: PipelineActivities = {
    isCallFinished: (callId) => deps.store.isFinished(callId),
    recordCallProgress: (progress) => deps.store.recordProgress(progress),
    planPostCallSteps: async () => plan,
    finishCall: async (call) => {
      await deps.store.saveCall(call);
      await deps.store.recordStepResults({ callId: call.record.callId, status: call.record.status, steps: call.steps });
    },
  };
  const stepActivities = Object.fromEntries(steps.map((step) => [step.name, asActivity(step, deps)]));
  return { ...stepActivities, ...pipeline };
}
