import type { Client } from '@temporalio/client';
import type Router from '@koa/router';
import type { ReceiverMetrics } from '../observability/metrics';
import type { FileSpool } from '../spool/file-spool';
import type { CallStore } from '../store/call-store';

export interface HealthDeps {
  client: Client;
  store: CallStore | null;
  spool: FileSpool | null;
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

function spoolState(spool: FileSpool) {
  return { depth: spool.depth, bytes: spool.bytes, oldest_age_seconds: Math.round(spool.oldestAgeMs() / 1000) };
}

export function registerHealthRoutes(router: Router, { client, store, spool, metrics, timeoutMs }: HealthDeps): void {
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
    // Spooled events still waiting for Temporal: serving, but not caught up.
    const degraded = ready && spool !== null && spool.depth > 0;
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: degraded ? 'degraded' : ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(checks),
      ...(spool ? { spool: spoolState(spool) } : {}),
    };
  });
  router.get('/metrics', async (ctx) => {
    if (spool) {
      metrics.spoolDepth.set(spool.depth);
      metrics.spoolBytes.set(spool.bytes);
      metrics.spoolOldestAge.set(spool.oldestAgeMs() / 1000);
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
