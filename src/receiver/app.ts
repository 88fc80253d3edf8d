import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { ReceiverMetrics } from '../observability/metrics';
import type { CallStore } from '../store/call-store';
import { callsRoute } from './calls-route';
import { errorResponse } from './error-response';
import { registerHealthRoutes } from './health-routes';
import { requireToken } from './require-token';
import type { FileSpool } from '../spool/file-spool';
import type { EventIntake } from './event-intake';
import { webhookRoute } from './webhook-route';

export interface ReceiverDeps {
  client: Client;
  intake: EventIntake;
  /** The outage spool, when this receiver has one (its depth shows in /readyz and /metrics). */
  spool: FileSpool | null;
  store: CallStore | null;
  tokens: string[];
  webhookPath: string;
  maxBodyBytes: number;
  metrics: ReceiverMetrics;
  log: Logger;
  /** Bound on health and query calls to Temporal. */
  temporalTimeoutMs: number;
}

/** Koa + @koa/router wiring only; each route lives in its own module. */
export function createReceiverApp(deps: ReceiverDeps): Koa {
  const app = new Koa({ proxy: false });
  const router = new Router();
  const auth = requireToken(deps.tokens);
  const webhook = webhookRoute(deps);

  // Ringg sends with the subscription's method_type: POST, PUT or PATCH.
  router.post(deps.webhookPath, auth, webhook);
  router.put(deps.webhookPath, auth, webhook);
  router.patch(deps.webhookPath, auth, webhook);
  router.get(
    '/calls/:call_id',
    auth,
    callsRoute({ client: deps.client, store: deps.store, timeoutMs: deps.temporalTimeoutMs })
  );
  registerHealthRoutes(router, {
    client: deps.client,
    store: deps.store,
    spool: deps.spool,
    metrics: deps.metrics,
    timeoutMs: deps.temporalTimeoutMs,
  });

  app.use(errorResponse(deps.log, (status) => deps.metrics.rejected.inc({ status: String(status) })));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (error: Error) => deps.log.debug({ err: error }, 'koa error'));
  return app;
}
