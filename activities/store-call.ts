import type { PostCallStep } from './post-call-step';

/** Writes the call row and its event rows; an upsert, so re-running it changes nothing. */
export const storeCall: PostCallStep = {
  name: 'storeCall',
  options: {
    startToCloseTimeout: '30s',
    // A database outage is waited out (a day at most) rather than failing the call.
    scheduleToCloseTimeout: '24h',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  },
  async run(call, deps) {
    await deps.store.saveCall(call);
    return { status: 'done', detail: { database: deps.store.kind } };
  },
};
