import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import type Koa from 'koa';
import type { PostCallStep } from '../../activities/post-call-step';
import type { StepDeps } from '../../activities/step-deps';
import { LocalRecordingStorage } from '../../activities/local-recording-storage';
import { createReceiverMetrics, type ReceiverMetrics } from '../../src/observability/metrics';
import { createReceiverApp } from '../../src/receiver/app';
import { createEventIntake } from '../../src/receiver/event-intake';
import { createCallSignaller } from '../../src/receiver/signal-call-event';
import { FileSpool } from '../../src/spool/file-spool';
import { SpoolForwarder } from '../../src/spool/spool-forwarder';
import type { CallStore } from '../../src/store/call-store';
import { openCallStore } from '../../src/store/open-call-store';
import { createCallWorker, WORKFLOWS_PATH } from '../../src/worker';
import { callSequence, type FixturePayload } from '../fixtures/ringg';
import { startLocalServices, type LocalServices } from './local-services';

export const TOKEN = 'test-token-0123456789abcdef';
export const OTHER_TOKEN = 'rotated-token-abcdef0123456789';

let runtimeInstalled = false;
let bundle: Promise<{ code: string }> | null = null;

/** The test server started by globalSetup. */
export function temporalAddress(): string {
  const address = process.env['TEMPORAL_TEST_ADDRESS'];
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run integration tests through jest (globalSetup)');
  return address;
}

export interface HarnessOptions {
  databaseUrl?: string;
  idleTimeoutMs?: number;
  steps?: PostCallStep[];
  deps?: Partial<StepDeps>;
  signalTimeoutMs?: number;
  /** Start no worker (e.g. to observe a call before any step runs). */
  withoutWorker?: boolean;
  /** Leave CRM_URL unset (the CRM step is then recorded as skipped). */
  withoutCrm?: boolean;
  /** Set RINGG_API_KEY and point the Ringg API at the local services (reconciliation). */
  withRinggApi?: boolean;
  /** Temporal frontend to use instead of the shared dev server (e.g. one started with its UI). */
  address?: string;
}

export interface Harness {
  client: Client;
  app: Koa;
  http: ReturnType<typeof request>;
  store: CallStore;
  metrics: ReceiverMetrics;
  taskQueue: string;
  dataDir: string;
  /** The local recording host and CRM the steps talk to. */
  services: LocalServices;
  /** A full call of that doc version whose recording lives on the local recording host. */
  callEvents(version: 'v1' | 'v2' | 'v3', callId: string): FixturePayload[];
  post(body: unknown, token?: string): request.Test;
  getCall(callId: string): request.Test;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** A real receiver + worker + store against the shared dev server, isolated by task queue. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundle;

  const dataDir = mkdtempSync(join(tmpdir(), 'ringg-it-'));
  const store = await openCallStore(options.databaseUrl ?? `sqlite:${join(dataDir, 'calls.db')}`);
  const address = options.address ?? temporalAddress();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `it-${randomUUID()}`;
  const log = pino({ level: 'silent' });
  const metrics = createReceiverMetrics();
  const services = await startLocalServices();

  const deps: StepDeps = {
    store,
    log,
    crm: { url: options.withoutCrm ? null : services.crmUrl, token: 'crm-secret-token', timeoutMs: 2000 },
    recordings: {
      storage: new LocalRecordingStorage(join(dataDir, 'recordings')),
      maxBytes: 10 * 1024 * 1024,
      timeoutMs: 5000,
    },
    ringg: options.withRinggApi
      ? { apiKey: services.ringgApiKey, apiUrl: services.url }
      : { apiKey: null, apiUrl: 'http://127.0.0.1:9' },
    ...options.deps,
  };

  const signaller = createCallSignaller({
    client,
    taskQueue,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    timeoutMs: options.signalTimeoutMs ?? 5000,
    isFinished: (callId) => store.isFinished(callId),
    recordLate: (delivery) => store.recordLateEvent(delivery),
  });
  const spool = FileSpool.open(join(dataDir, 'spool'), 64 * 1024 * 1024);
  const forwarder = new SpoolForwarder({ spool, signaller, log, minBackoffMs: 100, maxBackoffMs: 500 });
  forwarder.start();
  const app = createReceiverApp({
    client,
    intake: createEventIntake(signaller, spool, forwarder, log),
    spool,
    store,
    tokens: [TOKEN, OTHER_TOKEN],
    webhookPath: '/webhooks/ringg',
    maxBodyBytes: 1024 * 1024,
    metrics,
    log,
    temporalTimeoutMs: 5000,
  });
  const http = request(app.callback());

  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  const harness: Harness = {
    client,
    app,
    http,
    store,
    metrics,
    taskQueue,
    dataDir,
    services,
    callEvents: (version, callId) =>
      callSequence(version, callId).map((event) =>
        typeof event['recording_url'] === 'string' ? { ...event, recording_url: services.recordingUrl(callId) } : event
      ),
    post: (body, token = TOKEN) =>
      http
        .post('/webhooks/ringg')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body)),
    getCall: (callId) => http.get(`/calls/${encodeURIComponent(callId)}`).set('Authorization', `Bearer ${TOKEN}`),
    async startWorker() {
      worker = await createCallWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        deps,
        ...(options.steps ? { steps: options.steps } : {}),
        workflowBundle,
      });
      running = worker.run();
    },
    async stopWorker() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = null;
      running = null;
    },
    async close() {
      await harness.stopWorker();
      await forwarder.stop();
      spool.close();
      await nativeConnection.close();
      await connection.close();
      await store.close();
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (!options.withoutWorker) await harness.startWorker();
  return harness;
}

/** Polls GET /calls/:call_id until the pipeline is done with the call; returns its view. */
export function finishedView(harness: Harness, callId: string, timeoutMs = 45_000) {
  return eventually(
    async () => {
      const response = await harness.getCall(callId);
      return response.status === 200 && response.body.status !== 'in_progress' ? response.body : undefined;
    },
    timeoutMs,
    `call ${callId} to finish`
  );
}

/** Polls until `probe` returns a value other than undefined, or fails at the deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition'
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
