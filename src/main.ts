import { join } from 'node:path';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './observability/logger';
import { createLazyCallStore } from './store/lazy-call-store';
import { openCallStore } from './store/open-call-store';
import { startReceiver } from './receiver/start-receiver';
import { readTemporalTarget } from './temporal/connect';
import { startEmbeddedTemporal } from './temporal/embedded-temporal';
import { installTemporalRuntime } from './temporal/install-runtime';
import { loadOrCreateWebhookToken } from './webhook-token';
import { startWorker } from './worker';

type Mode = 'all' | 'receiver' | 'worker';
const MODES: Mode[] = ['all', 'receiver', 'worker'];

interface Running {
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'all') as Mode;
  if (!MODES.includes(mode)) throw new ConfigError(`Unknown mode "${mode}": use one of ${MODES.join(', ')}`);
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  let target = readTemporalTarget();
  const stack: Running[] = [];

  let tokens = config.WEBHOOK_TOKENS;
  let tokenSource = 'WEBHOOK_TOKENS';
  if (mode !== 'all' && target.embedded) {
    throw new ConfigError(
      `Invalid configuration: TEMPORAL_ADDRESS is required for "${mode}" (or use "all" for an embedded server)`
    );
  }
  if (mode !== 'worker' && tokens.length === 0) {
    if (mode === 'all' && target.embedded) {
      const path = join(config.DATA_DIR, 'webhook-token');
      const generated = loadOrCreateWebhookToken(path);
      tokens = [generated.token];
      tokenSource = `${generated.created ? 'generated' : 'reused'} token in ${path}: ${generated.token}`;
    } else {
      throw new ConfigError(
        'Invalid configuration: WEBHOOK_TOKENS is required (comma-separated tokens, at least 16 characters each)'
      );
    }
  }

  installTemporalRuntime(log, config.WORKER_METRICS_ADDRESS);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const running of stack.reverse())
      await running.stop().catch((err) => log.error({ err }, 'shutdown step failed'));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  let uiUrl: string | null = null;
  if (target.embedded) {
    const embedded = await startEmbeddedTemporal(config, log);
    stack.push(embedded);
    target = {
      ...target,
      connectionOptions: { ...target.connectionOptions, address: embedded.address },
      embedded: true,
    };
    uiUrl = embedded.uiUrl;
  }
  // A receiver alone must come up even while the database is down: it only needs the store for
  // optional lookups, and events must not be refused. Processes running steps need it at start.
  const store =
    mode === 'receiver'
      ? createLazyCallStore(
          () => openCallStore(config.DATABASE_URL),
          config.DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'postgres',
          log
        )
      : await openCallStore(config.DATABASE_URL);
  stack.push({ stop: () => store.close() });

  let receiverUrl: string | null = null;
  if (mode !== 'receiver') {
    const worker = await startWorker(config, target, store, log);
    stack.push(worker);
    worker.running.catch((err) => {
      log.fatal({ err }, 'worker stopped unexpectedly');
      void shutdown('worker-failure');
    });
  }
  if (mode !== 'worker') {
    const receiver = await startReceiver({ config, target, tokens, store, log });
    stack.push(receiver);
    receiverUrl = `${receiver.url}${config.WEBHOOK_PATH}`;
  }

  const banner = [
    '',
    `Ringg call pipeline (${mode}) is running`,
    ...(receiverUrl ? [`  Receiver:    ${receiverUrl}`, `  Token:       ${tokenSource}`] : []),
    `  Temporal:    ${target.connectionOptions.address ?? 'localhost:7233'} (namespace ${target.namespace}, task queue ${config.TASK_QUEUE})`,
    ...(uiUrl ? [`  Temporal UI: ${uiUrl}`] : []),
    `  Store:       ${config.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@')}`,
    '',
  ];
  process.stdout.write(`${banner.join('\n')}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
