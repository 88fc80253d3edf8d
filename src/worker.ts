import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { LocalRecordingStorage } from '../activities/local-recording-storage';
import type { PostCallStep } from '../activities/post-call-step';
import type { StepDeps } from '../activities/step-deps';
import type { Config } from './config';
import type { CallStore } from './store/call-store';
import type { TemporalTarget } from './temporal/connect';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export function stepDepsFromConfig(config: Config, store: CallStore, log: Logger): StepDeps {
  return {
    store,
    log,
    crm: { url: config.CRM_URL ?? null, token: config.CRM_TOKEN, timeoutMs: 10_000 },
    recordings: {
      storage: new LocalRecordingStorage(config.RECORDINGS_DIR),
      maxBytes: config.RECORDING_MAX_BYTES,
      timeoutMs: 120_000,
    },
    ringg: { apiKey: config.RINGG_API_KEY, apiUrl: config.RINGG_API_URL },
  };
}

export interface CallWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: StepDeps;
  steps?: PostCallStep[];
  /** Pre-built bundle (tests bundle once per file); else the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker for call workflows and their post-call steps. */
export function createCallWorker(options: CallWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps, options.steps),
    // In-flight activities get this long to finish on SIGTERM before they are cancelled.
    shutdownGraceTime: '20s',
  });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.connectionOptions);
}

export interface RunningWorker {
  /** Settles when the worker stops; rejects if it fails. */
  running: Promise<void>;
  /** Stops polling, lets in-flight tasks finish (within the grace time), closes the connection. */
  stop(): Promise<void>;
}

/** The production worker: connection, worker for the call workflow and its steps, running. */
export async function startWorker(
  config: Config,
  target: TemporalTarget,
  store: CallStore,
  log: Logger
): Promise<RunningWorker> {
  const connection = await connectWorker(target);
  const worker = await createCallWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.TASK_QUEUE,
    deps: stepDepsFromConfig(config, store, log),
  });
  const running = worker.run();
  return {
    running,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
