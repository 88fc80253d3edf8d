import type { PostCallStep } from './post-call-step';

/**
 * Notes when the caller asked to be called back (Ringg's platform analysis `callback_requested`),
 * so the stored record and the CRM payload carry it as a step result. The README's example of a
 * business step: pure, so it is idempotent for free.
 */
export const flagCallbackRequest: PostCallStep = {
  name: 'flagCallbackRequest',
  options: { startToCloseTimeout: '10s', retry: { maximumAttempts: 3 } },
  async run(call) {
    const analysis = call.record.platformAnalysis;
    if (!analysis?.callback_requested) return { status: 'skipped', detail: { reason: 'no callback requested' } };
    return {
      status: 'done',
      detail: { requestedTime: analysis.callback_requested_time ?? null, timezone: analysis.timezone ?? null },
    };
  },
};
