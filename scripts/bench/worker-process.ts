/*
 * The call worker in its own process (so its CPU and memory are not the measured server's),
 * started as `main.ts worker` starts it (startWorker), with the SDK runtime logging into our
 * logger. Logs go to BENCH_LOG_FILE.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { openCallStore } from '../../src/store/open-call-store';
import { readTemporalTarget } from '../../src/temporal/connect';
import { installTemporalRuntime } from '../../src/temporal/install-runtime';
import { startWorker } from '../../src/worker';
import { announceReady, requiredEnv, stopWithParent } from './child-side';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: requiredEnv('BENCH_LOG_FILE'), sync: false }));
  installTemporalRuntime(log);
  const store = await openCallStore(config.DATABASE_URL);
  const worker = await startWorker(config, readTemporalTarget(), store, log);
  worker.running.catch((error: unknown) => {
    process.stderr.write(`worker stopped: ${String(error)}\n`);
    process.exit(1);
  });
  announceReady();
  stopWithParent(async () => {
    await worker.stop().catch(() => undefined);
    await store.close();
    log.flush();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `worker-process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  );
  process.exit(1);
});
