import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { CallEventDelivery } from '../events';
import { callEventSignal } from '../../workflows/call-messages';
import { callWorkflow, type CallWorkflowInput } from '../../workflows/call-workflow';
import { AgentIdKey, CallStatusKey, WorkspaceIdKey } from '../../workflows/search-attributes';

export type SignalOutcome = 'accepted' | 'already_completed';

export interface CallSignaller {
  signal(delivery: CallEventDelivery): Promise<SignalOutcome>;
}

export interface CallSignallerOptions {
  client: Client;
  taskQueue: string;
  /** CALL_IDLE_TIMEOUT in milliseconds, handed to each new call workflow. */
  idleTimeoutMs: number;
  /** Past this Temporal counts as unavailable (the spool takes over once it exists). */
  timeoutMs: number;
  /**
   * The store's "has this call finished?", asked once per call per process: after namespace
   * retention drops a closed workflow, REJECT_DUPLICATE no longer protects its ID.
   */
  isFinished?: (callId: string) => Promise<boolean>;
  /** Keeps an event answered `already_completed` in the store, so a late event is not lost either. */
  recordLate?: (delivery: CallEventDelivery) => Promise<void>;
}

/** Call ids this process signalled recently: their workflow is open, so the store need not be asked. */
class RecentCalls {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    this.ids.add(id);
  }
  delete(id: string): void {
    this.ids.delete(id);
  }
}

/**
 * The signalWithStart for one delivery. REJECT_DUPLICATE makes a closed call's ID unusable, so a
 * late event never starts a second run; the conflict policy stays at its default USE_EXISTING
 * (FAIL is invalid for signalWithStart). Search attributes set here are only used by a new run.
 */
export function callSignalWithStartOptions(delivery: CallEventDelivery, taskQueue: string, idleTimeoutMs: number) {
  const callId = delivery.payload.call_id;
  const agentId = typeof delivery.payload['agent_id'] === 'string' ? delivery.payload['agent_id'] : null;
  const workspaceId = typeof delivery.payload['workspace_id'] === 'string' ? delivery.payload['workspace_id'] : null;
  return {
    workflowId: callId,
    taskQueue,
    args: [{ idleTimeout: idleTimeoutMs }] as [CallWorkflowInput],
    signal: callEventSignal,
    signalArgs: [delivery] as [CallEventDelivery],
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    staticSummary: `Ringg call ${callId}`.slice(0, 200),
    typedSearchAttributes: [
      { key: CallStatusKey, value: 'in_progress' },
      ...(agentId ? [{ key: AgentIdKey, value: agentId }] : []),
      ...(workspaceId ? [{ key: WorkspaceIdKey, value: workspaceId }] : []),
    ],
  };
}

export function newDeliveryId(): string {
  return randomUUID();
}

/**
 * Signals the call's workflow, starting it if needed. A closed call answers ALREADY_EXISTS →
 * `already_completed`; a call the store knows finished (retention may have dropped its
 * workflow) is answered the same without asking Temporal.
 */
export function createCallSignaller(options: CallSignallerOptions): CallSignaller {
  const { client, taskQueue, idleTimeoutMs, timeoutMs, isFinished, recordLate } = options;
  const recent = new RecentCalls(50_000);

  async function finishedInStore(callId: string): Promise<boolean> {
    if (!isFinished || recent.has(callId)) return false;
    try {
      return await isFinished(callId);
    } catch {
      // The store being down must not block intake: the workflow's first act checks again.
      return false;
    }
  }

  async function alreadyCompleted(delivery: CallEventDelivery): Promise<'already_completed'> {
    // Best effort: the answer is the same either way, and Ringg has nothing to retry.
    await recordLate?.(delivery).catch(() => undefined);
    return 'already_completed';
  }

  return {
    async signal(delivery) {
      const callId = delivery.payload.call_id;
      if (await finishedInStore(callId)) return alreadyCompleted(delivery);
      try {
        await client.connection.withDeadline(Date.now() + timeoutMs, () =>
          client.workflow.signalWithStart(callWorkflow, callSignalWithStartOptions(delivery, taskQueue, idleTimeoutMs))
        );
        recent.add(callId);
        return 'accepted';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          recent.delete(callId);
          return alreadyCompleted(delivery);
        }
        throw error;
      }
    },
  };
}
