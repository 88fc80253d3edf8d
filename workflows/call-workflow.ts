import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { PipelineActivities } from '../activities/pipeline-activities';
import type { CallEventDelivery } from '../src/events';
import type { PlannedStep, StepActivityResult } from '../activities/post-call-step';
import {
  buildCallRecord,
  type CallRecord,
  type CompletedCall,
  type CompletionReason,
  type PipelineStatus,
  type StepResult,
} from './call-record';
import { callEventSignal, callViewQuery } from './call-messages';
import { applyDelivery, hasEvent, initialCallState, statusRank } from './call-state';
import { toCallView } from './to-call-view';
import { AgentIdKey, CallStatusKey, RinggCallStatusKey, WorkspaceIdKey } from './search-attributes';

export interface CallWorkflowInput {
  /** How long to wait for the next event before finishing the call as `incomplete` (CALL_IDLE_TIMEOUT). */
  idleTimeout: Duration;
}

export interface CallWorkflowResult {
  callId: string;
  status: PipelineStatus | 'already_finished';
  steps: StepResult[];
}

const pipeline = proxyLocalActivities<PipelineActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * One workflow per Ringg call, workflow ID = call_id. Collects the call's events until
 * `all_processing_completed` (or the idle timeout), then runs the post-call steps in order.
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  const callId = workflowInfo().workflowId;
  const state = initialCallState(callId);
  // `status` is what the UI and GET /calls show: in_progress until the steps are done and stored.
  // `outcome` is what the steps see on the record: completed or incomplete.
  let status: PipelineStatus = 'in_progress';
  let outcome: PipelineStatus = 'in_progress';
  let steps: StepResult[] = [];
  let completion: CallRecord['completion'] = null;

  setHandler(callEventSignal, (delivery) => void applyDelivery(state, delivery), {
    description: 'One Ringg webhook delivery for this call',
  });
  setHandler(callViewQuery, () => toCallView(state, buildCallRecord(state, outcome, completion), steps, status), {
    description: 'The call as the pipeline sees it: status, events, attempts, steps, record',
  });

  // A call finished before the namespace retention dropped its workflow must not run again.
  if (await pipeline.isCallFinished(callId)) {
    log.info('Call already finished in the store; closing this run', { callId });
    return { callId, status: 'already_finished', steps: [] };
  }

  let reported = { revision: -1, callStatus: null as string | null, agentId: null as string | null };
  let reason: CompletionReason = 'all_processing_completed';
  for (;;) {
    if (reported.revision !== state.revision) {
      if (state.callStatus !== reported.callStatus || state.agentId !== reported.agentId) {
        publishSearchAttributes();
        await pipeline.recordCallProgress({
          callId,
          callStatus: state.callStatus,
          subStatus: state.subStatus,
          statusRank: statusRank(state.callStatus),
          agentId: state.agentId,
          workspaceId: state.workspaceId,
        });
      }
      reported = { revision: state.revision, callStatus: state.callStatus, agentId: state.agentId };
      describe();
    }
    if (hasEvent(state, 'all_processing_completed')) break;
    const seen = state.revision;
    const gotEvent = await condition(() => state.revision !== seen, input.idleTimeout);
    if (!gotEvent) {
      reason = 'idle_timeout';
      break;
    }
  }

  outcome = reason === 'all_processing_completed' ? 'completed' : 'incomplete';
  completion = { reason, completedAt: new Date().toISOString() };
  describe();

  const plan = await pipeline.planPostCallSteps();
  steps = plan.map((step) => ({ name: step.name, status: 'pending', attempts: 0, lastError: null, detail: null }));
  for (const [index, step] of plan.entries()) {
    const { result, deliveries } = await runStep(step, {
      record: buildCallRecord(state, outcome, completion),
      events: state.events,
      steps,
    });
    steps[index] = result;
    for (const delivery of deliveries) applyDelivery(state, delivery);
    if (outcome === 'incomplete' && hasEvent(state, 'all_processing_completed')) {
      // A step (reconciliation) found the closing event Ringg never delivered.
      outcome = 'completed';
      completion = { reason: 'reconciled', completedAt: new Date().toISOString() };
    }
    describe();
  }

  const failed = steps.filter((step) => step.status === 'failed');
  if (failed.length > 0) outcome = 'failed';
  // Events that arrive while the steps run are stored too: store again until none came in.
  let storedRevision = -1;
  while (storedRevision !== state.revision) {
    storedRevision = state.revision;
    await pipeline.finishCall({ record: buildCallRecord(state, outcome, completion), events: state.events, steps });
  }
  status = outcome;
  publishSearchAttributes();
  describe();

  if (failed.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Post-call step(s) failed: ${failed.map((step) => `${step.name} (${step.lastError ?? 'unknown error'})`).join('; ')}`,
      'PostCallStepFailed',
      { failedSteps: failed.map((step) => step.name) }
    );
  }
  return { callId, status, steps };

  function publishSearchAttributes(): void {
    upsertSearchAttributes([
      { key: CallStatusKey, value: status },
      { key: RinggCallStatusKey, value: state.callStatus },
      { key: AgentIdKey, value: state.agentId },
      { key: WorkspaceIdKey, value: state.workspaceId },
    ]);
  }

  function describe(): void {
    const lines = [
      `**Pipeline:** ${status} · **Ringg status:** ${state.callStatus ?? '—'}${state.subStatus ? ` (${state.subStatus})` : ''}`,
      `**Events:** ${state.events.map((event) => `${event.key}×${event.deliveries}`).join(', ') || 'none yet'}`,
    ];
    if (steps.length > 0) lines.push(`**Steps:** ${steps.map((step) => `${step.name}: ${step.status}`).join(', ')}`);
    setCurrentDetails(lines.join('\n\n'));
  }
}

async function runStep(
  step: PlannedStep,
  call: CompletedCall
): Promise<{ result: StepResult; deliveries: CallEventDelivery[] }> {
  const activity = proxyActivities<Record<string, (call: CompletedCall) => Promise<StepActivityResult>>>({
    ...step.options,
    summary: `${step.name} for call ${call.record.callId}`.slice(0, 200),
  })[step.name];
  if (!activity) throw new Error(`unreachable: no proxy for ${step.name}`);
  try {
    const outcome = await activity(call);
    return {
      result: {
        name: step.name,
        status: outcome.status,
        attempts: outcome.attempt,
        lastError: null,
        detail: outcome.detail ?? null,
      },
      deliveries: outcome.deliveries ?? [],
    };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    const attempt =
      cause instanceof ApplicationFailure
        ? (cause.details?.[0] as { attempt?: number } | undefined)?.attempt
        : undefined;
    return {
      result: {
        name: step.name,
        status: 'failed',
        attempts: attempt ?? 0,
        lastError: cause?.message ?? error.message,
        detail: null,
      },
      deliveries: [],
    };
  }
}
