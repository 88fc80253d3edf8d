import type { Logger } from 'pino';
import type { Config } from '../config';
import { createReceiverMetrics } from '../observability/metrics';
import { FileSpool } from '../spool/file-spool';
import { SpoolForwarder } from '../spool/spool-forwarder';
import type { CallStore } from '../store/call-store';
import { createLazyClient, type TemporalTarget } from '../temporal/connect';
import { createReceiverApp } from './app';
import { createEventIntake } from './event-intake';
import { listen } from './server';
import { createCallSignaller } from './signal-call-event';

export interface StartReceiverOptions {
  config: Config;
  target: TemporalTarget;
  tokens: string[];
  store: CallStore;
  log: Logger;
}

export interface RunningReceiver {
  url: string;
  port: number;
  /** Stops taking requests, lets in-flight ones finish, then stops the forwarder and the client. */
  stop(): Promise<void>;
}

/** The production receiver: Temporal client, outage spool with its forwarder, Koa app, listener. */
export async function startReceiver({
  config,
  target,
  tokens,
  store,
  log,
}: StartReceiverOptions): Promise<RunningReceiver> {
  const client = createLazyClient(target);
  const signaller = createCallSignaller({
    client,
    taskQueue: config.TASK_QUEUE,
    idleTimeoutMs: config.CALL_IDLE_TIMEOUT,
    timeoutMs: config.SIGNAL_TIMEOUT,
    isFinished: (callId) => store.isFinished(callId),
    recordLate: (delivery) => store.recordLateEvent(delivery),
  });
  const spool = FileSpool.open(config.SPOOL_DIR, config.SPOOL_MAX_BYTES);
  const forwarder = new SpoolForwarder({ spool, signaller, log });
  forwarder.start();
  if (spool.depth > 0) log.info({ spool_depth: spool.depth }, 'forwarding events spooled by an earlier run');
  const app = createReceiverApp({
    client,
    intake: createEventIntake(signaller, spool, forwarder, log),
    spool,
    store,
    tokens,
    webhookPath: config.WEBHOOK_PATH,
    maxBodyBytes: config.WEBHOOK_MAX_BODY,
    metrics: createReceiverMetrics(),
    log,
    temporalTimeoutMs: config.SIGNAL_TIMEOUT,
  });
  const listening = await listen(app, config.PORT, config.HOST);
  const address = listening.server.address();
  return {
    url: listening.url,
    port: typeof address === 'object' && address ? address.port : config.PORT,
    async stop() {
      await listening.close();
      await forwarder.stop();
      spool.close();
      await client.connection.close();
    },
  };
}
