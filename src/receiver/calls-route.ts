import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Middleware } from 'koa';
import { callViewQuery } from '../../workflows/call-messages';
import type { CallView } from '../../workflows/call-view';
import type { CallStore } from '../store/call-store';
import { HttpError } from './http-error';

export interface CallsRouteDeps {
  client: Client;
  store: CallStore | null;
  timeoutMs: number;
}

/** The call view: the store once the call has finished, else the running workflow's query. */
export async function findCallView(
  { client, store, timeoutMs }: CallsRouteDeps,
  callId: string
): Promise<CallView | null> {
  // A store outage must not hide a call Temporal can still describe.
  const stored = store ? await store.getCallView(callId).catch(() => null) : null;
  if (stored && stored.status !== 'in_progress') return stored;
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.getHandle(callId).query(callViewQuery)
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return stored;
    // A live store row is still a useful answer when Temporal cannot be asked.
    if (stored) return stored;
    throw error;
  }
}

export function callsRoute(deps: CallsRouteDeps): Middleware {
  return async (ctx) => {
    const callId = String(ctx['params']?.call_id ?? '');
    let view: CallView | null;
    try {
      view = await findCallView(deps, callId);
    } catch {
      throw new HttpError(503, 'Temporal is unavailable; the call cannot be read right now');
    }
    if (!view) throw new HttpError(404, 'unknown call', { call_id: callId });
    ctx.status = 200;
    ctx.body = view;
  };
}
