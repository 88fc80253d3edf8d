import type { Client } from '@temporalio/client';
import type Router from '@koa/router';
import type { ReceiverMetrics } from '../observability/metrics';
import type { CallStore } from '../store/call-store';

export interface HealthDeps {
  client: Client;
  store: CallStore | null;
  metrics: ReceiverMetrics;
  timeoutMs: number;
}

async function check(name: string, probe: () => Promise<unknown>, timeoutMs: number): Promise<[string, string]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return [name, 'ok'];
  } catch (error) {
    return [name, error instanceof Error ? (error.message.split('\n')[0] ?? 'error') : 'error'];
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(router: Router, { client, store, metrics, timeoutMs }: HealthDeps): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await Promise.all([
      check(
        'temporal',
        () => client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({})),
        timeoutMs
      ),
      ...(store ? [check('store', () => store.ping(), timeoutMs)] : []),
    ]);
    const ready = checks.every(([, result]) => result === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(checks) };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
