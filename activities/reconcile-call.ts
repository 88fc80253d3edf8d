import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { parseCallEvent, type CallEventDelivery } from '../src/events';
import { CallDetails, isFinalCallStatus, toClosingEvent } from '../src/ringg/call-details';
import { createRinggApi, RinggApiError } from '../src/ringg/ringg-api';
import type { PostCallStep } from './post-call-step';

/**
 * A call that went quiet without `all_processing_completed` (Ringg gave up delivering it after
 * 4 attempts, ringg-webhooks.md §3 and §6.7) is completed from Ringg's call-details API instead
 * of staying partial. The details come back as a closing event that the workflow folds in like
 * any webhook, so every later step sees the completed call.
 */
export const reconcileCall: PostCallStep = {
  name: 'reconcileCall',
  options: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '6h',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
  },
  async run(call, deps) {
    if (call.record.completion?.reason !== 'idle_timeout') {
      return { status: 'skipped', detail: { reason: 'the call completed through its webhooks' } };
    }
    if (!deps.ringg.apiKey) return { status: 'skipped', detail: { reason: 'RINGG_API_KEY not set' } };

    const api = createRinggApi({ apiUrl: deps.ringg.apiUrl, apiKey: deps.ringg.apiKey });
    let json: unknown;
    try {
      json = await api.getCallDetails(call.record.callId);
    } catch (error) {
      // A wrong or unauthorised key will not fix itself; everything else (429, 5xx, network) is retried.
      if (error instanceof RinggApiError && (error.status === 401 || error.status === 403)) {
        throw ApplicationFailure.nonRetryable(error.message, 'RinggApiUnauthorized');
      }
      throw error;
    }
    if (json === null) return { status: 'skipped', detail: { reason: 'Ringg does not know this call' } };
    const details = CallDetails.safeParse(json);
    if (!details.success) {
      throw ApplicationFailure.nonRetryable(
        `Unexpected call-details answer: ${details.error.issues[0]?.message ?? 'invalid'}`,
        'RinggCallDetailsInvalid'
      );
    }
    const callStatus = details.data.data.call_status ?? null;
    if (!isFinalCallStatus(callStatus)) {
      return { status: 'skipped', detail: { reason: `Ringg still reports the call as ${callStatus ?? 'unknown'}` } };
    }

    const parsed = parseCallEvent(toClosingEvent(call.record.callId, details.data));
    if (!parsed.ok)
      throw ApplicationFailure.nonRetryable(
        'call-details could not be turned into an event',
        'RinggCallDetailsInvalid'
      );
    const delivery: CallEventDelivery = {
      deliveryId: `reconcile-${randomUUID()}`,
      receivedAt: new Date().toISOString(),
      payload: parsed.payload,
      schemaIssues: parsed.schemaIssues,
    };
    return { status: 'done', detail: { source: 'call-details', callStatus }, deliveries: [delivery] };
  },
};
