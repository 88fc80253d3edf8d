/*
 * The call worker in its own process (so its CPU and memory are not the measured server's),
 * wired as src/main.ts wires it: config from the environment, stepDepsFromConfig, the SDK
 * runtime logging into our logger. Logs go to BENCH_LOG_FILE.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { openCallStore } from '../../src/store/open-call-store';
import { readTemporalTarget } from '../../src/temporal/connect';
import { installTemporalRuntime } from '../../src/temporal/install-runtime';
import { connectWorker, createCallWorker, stepDepsFromConfig } from '../../src/worker';
import { announceReady, requiredEnv, stopWithParent } from './child-side';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: requiredEnv('BENCH_LOG_FILE'), sync: false }));
  installTemporalRuntime(log);
  const target = readTemporalTarget();
  const store = await openCallStore(config.DATABASE_URL);
  const connection = await connectWorker(target);
  const worker = await createCallWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.TASK_QUEUE,
    deps: stepDepsFromConfig(config, store, log),
  });
  const running = worker.run();
  running.catch((error: unknown) => {
    process.stderr.write(`worker stopped: ${String(error)}\n`);
    process.exit(1);
  });
  announceReady();
  stopWithParent(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
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
