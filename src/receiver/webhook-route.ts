import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { parseCallEvent, type CallEventDelivery } from '../events';
import type { ReceiverMetrics } from '../observability/metrics';
import { HttpError } from './http-error';
import { readJsonObject } from './read-json-body';
import { isTemporalRejection } from '../temporal/temporal-errors';
import type { EventIntake, IntakeOutcome } from './event-intake';
import { newDeliveryId } from './signal-call-event';

export interface WebhookRouteDeps {
  intake: EventIntake;
  maxBodyBytes: number;
  metrics: ReceiverMetrics;
  log: Logger;
}

/**
 * Body → envelope check → signalWithStart → exactly 200. Ringg retries any other status, 2xx
 * included (ringg-webhooks.md §3), so success is never 201/202/204.
 */
export function webhookRoute({ intake, maxBodyBytes, metrics, log }: WebhookRouteDeps): Middleware {
  return async (ctx) => {
    const started = process.hrtime.bigint();
    const receivedAt = new Date().toISOString();
    const body = await readJsonObject(ctx, maxBodyBytes);
    const parsed = parseCallEvent(body);
    if (!parsed.ok) {
      throw new HttpError(422, 'call_id and event_type are required', { issues: parsed.issues });
    }
    const { payload, schemaIssues } = parsed;
    const delivery: CallEventDelivery = { deliveryId: newDeliveryId(), receivedAt, payload, schemaIssues };
    if (schemaIssues.length > 0) metrics.schemaIssues.inc({ event_type: payload.event_type });

    let outcome: IntakeOutcome | 'unavailable' | 'rejected';
    let failure: unknown;
    try {
      outcome = await intake.deliver(delivery);
    } catch (error) {
      failure = error;
      outcome = isTemporalRejection(error) ? 'rejected' : 'unavailable';
    }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    metrics.events.inc({ event_type: payload.event_type, outcome });
    metrics.latency.observe({ outcome }, latencyMs / 1000);
    log.info(
      {
        call_id: payload.call_id,
        event_type: payload.event_type,
        delivery_id: delivery.deliveryId,
        received_at: receivedAt,
        outcome,
        schema_issues: schemaIssues.length,
        latency_ms: Math.round(latencyMs * 10) / 10,
      },
      'webhook event'
    );
    if (outcome === 'rejected') {
      log.error(
        { call_id: payload.call_id, event_type: payload.event_type, err: failure },
        'Temporal rejected the event'
      );
      throw new HttpError(422, 'Temporal rejected the event', {
        call_id: payload.call_id,
        reason: (failure as Error).message,
      });
    }
    if (outcome === 'unavailable') {
      log.error({ call_id: payload.call_id, event_type: payload.event_type, err: failure }, 'event not accepted');
      throw new HttpError(503, 'Temporal is unavailable and the event could not be spooled; retry later', {
        call_id: payload.call_id,
      });
    }
    ctx.status = 200;
    ctx.body = {
      status: outcome,
      call_id: payload.call_id,
      event_type: payload.event_type,
      workflow_id: payload.call_id,
    };
  };
}
