/*
 * End to end: N generated calls, each call's events posted in Ringg's order through the real
 * receiver, run by the worker through every post-call step into SQLite, with a local CRM sink
 * counting deliveries per Idempotency-Key and a local recording host for the archive step.
 */
import { createServer, type Server } from 'node:http';
import Database from 'better-sqlite3';
import { generateCall, type GeneratedCall } from '../../src/simulate/generate-call';
import type { BenchChild } from './children';

export interface CrmSink {
  url: string;
  deliveries: Map<string, number>;
  close(): Promise<void>;
}

/** Answers 200 to every POST and counts them per Idempotency-Key (the call id). */
export async function startCrmSink(): Promise<CrmSink> {
  const deliveries = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') {
        const key = String(req.headers['idempotency-key'] ?? 'missing');
        deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/crm`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface E2eOptions {
  calls: number;
  /** Calls in flight at once; each call's events are sent one after another. */
  concurrency: number;
  receiverUrl: string;
  token: string;
  dbFile: string;
  crm: CrmSink;
  recordingBaseUrl: string;
  recordingDownloads: () => number;
  receiver: BenchChild;
  worker: BenchChild;
  seed: string;
}

export interface E2eResult {
  calls: number;
  events: number;
  concurrency: number;
  completed_calls: number;
  all_completed: boolean;
  statuses: Record<string, number>;
  calls_per_s: number | null;
  intake_events_per_s: number;
  intake_s: number;
  total_s: number;
  last_event_to_stored_ms: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  http_errors: number;
  crm: { exactly_once: number; duplicated: number; missing: number; deliveries: number };
  crm_exactly_once_all: boolean;
  recordings_downloaded: number;
  connected_calls: number;
  receiver_rss_mb: number | null;
  worker_rss_mb: number | null;
}

const POLL_MS = 20;
const REQUEST_TIMEOUT_MS = 30_000;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] as number) * 10) / 10;
}

export async function runEndToEnd(options: E2eOptions): Promise<E2eResult> {
  const startedAt = new Date();
  const calls: GeneratedCall[] = Array.from({ length: options.calls }, (_, index) =>
    generateCall({ seed: options.seed, index, startedAt, recordingBaseUrl: options.recordingBaseUrl })
  );
  const events = calls.reduce((sum, call) => sum + call.events.length, 0);
  const lastSent = new Map<string, number>();
  const stored = new Map<string, { at: number; status: string }>();
  let httpErrors = 0;
  options.receiver.resetPeakRss();
  options.worker.resetPeakRss();

  const db = new Database(options.dbFile, { readonly: true, fileMustExist: true });
  const finished = db.prepare('SELECT call_id, status FROM calls WHERE finished_at IS NOT NULL');
  const poll = (): void => {
    const now = performance.now();
    for (const row of finished.all() as { call_id: string; status: string }[]) {
      if (!stored.has(row.call_id)) stored.set(row.call_id, { at: now, status: row.status });
    }
  };

  const t0 = performance.now();
  let next = 0;
  const sender = async (): Promise<void> => {
    // Bounded: each sender takes calls from a fixed list until it is empty.
    while (next < calls.length) {
      const call = calls[next++] as GeneratedCall;
      for (const event of call.events) {
        if (event === call.events[call.events.length - 1]) lastSent.set(call.callId, performance.now());
        try {
          const response = await fetch(options.receiverUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
            body: JSON.stringify(event),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          await response.arrayBuffer();
          if (response.status !== 200) httpErrors++;
        } catch {
          httpErrors++;
        }
      }
    }
  };
  const poller = setInterval(poll, POLL_MS);
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, calls.length) }, sender));
    const intakeEnd = performance.now();
    // Bounded wait: generous for a 2-core machine, then report whatever is missing.
    const deadline = Date.now() + 60_000 + options.calls * 250;
    while (stored.size < calls.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    clearInterval(poller);
    poll();
    const end = performance.now();
    // A second CRM delivery would come from a retried step; give one a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const latencies = calls
      .filter((call) => stored.has(call.callId))
      .map((call) => (stored.get(call.callId)?.at ?? 0) - (lastSent.get(call.callId) ?? 0))
      .sort((a, b) => a - b);
    const statuses: Record<string, number> = {};
    for (const { status } of stored.values()) statuses[status] = (statuses[status] ?? 0) + 1;
    const lastStored = Math.max(...[...stored.values()].map((entry) => entry.at));
    let exactlyOnce = 0;
    let duplicated = 0;
    let missing = 0;
    let deliveries = 0;
    for (const call of calls) {
      const count = options.crm.deliveries.get(call.callId) ?? 0;
      deliveries += count;
      if (count === 1) exactlyOnce++;
      else if (count === 0) missing++;
      else duplicated++;
    }
    const completed = statuses['completed'] ?? 0;
    return {
      calls: calls.length,
      events,
      concurrency: options.concurrency,
      completed_calls: completed,
      all_completed: completed === calls.length,
      statuses,
      calls_per_s:
        stored.size === calls.length ? Math.round((calls.length / ((lastStored - t0) / 1000)) * 10) / 10 : null,
      intake_events_per_s: Math.round((events / ((intakeEnd - t0) / 1000)) * 10) / 10,
      intake_s: Math.round((intakeEnd - t0) / 10) / 100,
      total_s: Math.round((end - t0) / 10) / 100,
      last_event_to_stored_ms: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: percentile(latencies, 100),
      },
      http_errors: httpErrors,
      crm: { exactly_once: exactlyOnce, duplicated, missing, deliveries },
      crm_exactly_once_all: exactlyOnce === calls.length,
      recordings_downloaded: options.recordingDownloads(),
      connected_calls: calls.filter((call) => call.scenario === 'conversation' || call.scenario === 'voicemail').length,
      receiver_rss_mb: options.receiver.peakRssMb(),
      worker_rss_mb: options.worker.peakRssMb(),
    };
  } finally {
    clearInterval(poller);
    db.close();
  }
}
