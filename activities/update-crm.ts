import { ApplicationFailure } from '@temporalio/activity';
import type { CallRecord, StepResult } from '../workflows/call-record';
import type { PostCallStep } from './post-call-step';
import { describeFetchError } from '../src/http/describe-fetch-error';

/**
 * What the CRM receives: the consolidated call record at the top level (so `callId`, `status`,
 * `summary`… sit where a CRM mapping expects them), plus the results of the steps that ran
 * before this one (e.g. where the recording was archived). The raw events are left out: the
 * record already carries everything derived from them, and `finalPayload` keeps the last one.
 */
export type CrmPayload = CallRecord & { steps: StepResult[] };

/** Statuses worth retrying besides 5xx: the CRM timed out or asked us to slow down. */
const RETRYABLE_4XX = new Set([408, 429]);

/** How much of a rejecting CRM's answer to keep in the failure, enough to see why. */
const RESPONSE_EXCERPT_CHARS = 300;

async function responseExcerpt(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > RESPONSE_EXCERPT_CHARS ? `${text.slice(0, RESPONSE_EXCERPT_CHARS)}…` : text;
  } catch {
    return '';
  }
}

/** Sends the consolidated call to `CRM_URL`; the call id is the idempotency key, so a retry is safe. */
export const updateCrm: PostCallStep = {
  name: 'updateCrm',
  options: {
    // Longer than the 10 s request timeout, so a slow answer fails as a retryable timeout first.
    startToCloseTimeout: '30s',
    // A CRM outage is waited out (a day at most); only a 4xx rejection fails the step at once.
    scheduleToCloseTimeout: '24h',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
  },
  async run(call, deps) {
    const { url, token, timeoutMs } = deps.crm;
    if (url === null) return { status: 'skipped', detail: { reason: 'CRM_URL not set' } };

    const callId = call.record.callId;
    const payload: CrmPayload = { ...call.record, steps: call.steps };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Idempotency-Key': callId,
    };
    if (token) headers['Authorization'] = `Bearer ${token}`;

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
        // Following a 301/302 would turn the POST into a GET and lose the body; report it instead.
        redirect: 'manual',
      });
    } catch (error) {
      // Network errors and timeouts: the CRM may be back on the next attempt.
      throw new Error(`CRM request failed: ${describeFetchError(error)}`);
    }

    const status = response.status;
    if (status >= 200 && status < 300) {
      await response.body?.cancel();
      deps.log.info({ callId, httpStatus: status }, 'CRM updated');
      return { status: 'done', detail: { httpStatus: status } };
    }

    const excerpt = await responseExcerpt(response);
    if (status >= 500 || RETRYABLE_4XX.has(status)) {
      throw new Error(`CRM answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`);
    }
    // Other 4xx (and unfollowed 3xx): the request itself is wrong, and sending it again won't help.
    throw ApplicationFailure.nonRetryable(
      `CRM rejected the call with HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
      'CrmRejected'
    );
  },
};
