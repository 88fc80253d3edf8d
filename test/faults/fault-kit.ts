import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCall, type GeneratedCall } from '../../src/simulate/generate-call';
import { startRecordingHost, type RecordingHost } from '../../src/simulate/recording-host';
import { freePort } from '../../src/temporal/dev-server';
import { startLocalServices, type LocalServices } from '../helpers/local-services';

export const TOKEN = 'fault-test-token-0123456789';

/** What the sender saw: every delivery and its answer. */
export interface SendLog {
  sent: number;
  answered200: number;
  byOutcome: Record<string, number>;
  failures: string[];
}

export function newSendLog(): SendLog {
  return { sent: 0, answered200: 0, byOutcome: {}, failures: [] };
}

/** Posts one delivery; returns its outcome (`accepted`, `spooled`, an HTTP status, or `network_error`). */
export async function post(url: string, body: unknown, log: SendLog): Promise<string> {
  log.sent++;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await response.json()) as { status?: string; error?: string };
    const outcome = response.status === 200 ? String(answer.status) : `${response.status}`;
    log.byOutcome[outcome] = (log.byOutcome[outcome] ?? 0) + 1;
    if (response.status === 200) log.answered200++;
    else log.failures.push(`${response.status} ${answer.error ?? ''}`);
    return outcome;
  } catch (error) {
    log.byOutcome['network_error'] = (log.byOutcome['network_error'] ?? 0) + 1;
    log.failures.push(String(error));
    return 'network_error';
  }
}

/** Realistic calls whose recordings are served locally. */
export function makeCalls(count: number, seed: string, recordingHost: RecordingHost): GeneratedCall[] {
  const startedAt = new Date();
  return Array.from({ length: count }, (_, index) =>
    generateCall({ seed, index, startedAt, recordingBaseUrl: recordingHost.baseUrl })
  );
}

export interface FaultWorld {
  dir: string;
  receiverPort: number;
  receiverUrl: string;
  services: LocalServices;
  recordingHost: RecordingHost;
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** Ports, folders and local peers shared by the processes of one fault scenario. */
export async function makeWorld(temporalAddress: string, databaseUrl: string | null): Promise<FaultWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ringg-fault-'));
  const receiverPort = await freePort();
  const services = await startLocalServices();
  const recordingHost = await startRecordingHost();
  const taskQueue = `faults-${Date.now()}`;
  return {
    dir,
    receiverPort,
    receiverUrl: `http://127.0.0.1:${receiverPort}`,
    services,
    recordingHost,
    env: (extra = {}) => ({
      TEMPORAL_ADDRESS: temporalAddress,
      TASK_QUEUE: taskQueue,
      WEBHOOK_TOKENS: TOKEN,
      PORT: String(receiverPort),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl ?? `sqlite:${join(dir, 'calls.db')}`,
      SPOOL_DIR: join(dir, 'spool'),
      RECORDINGS_DIR: join(dir, 'recordings'),
      CRM_URL: services.crmUrl,
      CRM_TOKEN: 'crm-token-for-faults',
      SIGNAL_TIMEOUT: '1s',
      CALL_IDLE_TIMEOUT: '10m',
      DATA_DIR: dir,
      ...extra,
    }),
    async close() {
      await services.close();
      await recordingHost.close();
    },
  };
}

/** Polls until `probe` returns a value, or fails at the deadline. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
