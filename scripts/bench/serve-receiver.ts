/*
 * Scenario (d), our receiver, started exactly as `main.ts receiver` starts it (startReceiver),
 * except that the JSON log goes to BENCH_LOG_FILE: a synchronous file destination, like pino's
 * default stdout, so the cost of one info line per event is measured.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { startReceiver } from '../../src/receiver/start-receiver';
import { openCallStore } from '../../src/store/open-call-store';
import { readTemporalTarget } from '../../src/temporal/connect';
import { announceReady, requiredEnv, stopWithParent } from './child-side';

async function main(): Promise<void> {
  const config = { ...loadConfig(), PORT: 0, HOST: '127.0.0.1' };
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: requiredEnv('BENCH_LOG_FILE'), sync: true }));
  const store = await openCallStore(config.DATABASE_URL);
  const receiver = await startReceiver({
    config,
    target: readTemporalTarget(),
    tokens: config.WEBHOOK_TOKENS,
    store,
    log,
  });
  announceReady(receiver.port);
  stopWithParent(async () => {
    await receiver.stop();
    await store.close();
    log.flush();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `serve-receiver failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  );
  process.exit(1);
});
