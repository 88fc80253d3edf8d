/*
 * `npm run simulate`: posts realistic Ringg event sequences for N calls to a running receiver,
 * then polls GET /calls/:call_id until every call has finished, and reports what each became.
 * Exit code: 0 all calls finished and every delivery got 200; 1 otherwise; 2 bad options.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRecordingHost } from '../src/simulate/recording-host';
import { generateCall, type GeneratedCall } from '../src/simulate/generate-call';
import { planDeliveries, type Delivery } from '../src/simulate/plan-deliveries';
import { createRng } from '../src/simulate/prng';

const FINAL_STATUSES = new Set(['completed', 'incomplete', 'failed']);
// Ringg gives up on a delivery after 30 s (ringg-webhooks.md §3); the simulator does the same.
const REQUEST_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 500;
const TOKEN_FILE = path.resolve(__dirname, '..', 'data', 'webhook-token');

class UsageError extends Error {}

interface Options {
  calls: number;
  url: URL;
  token: string;
  duplicates: number;
  shuffle: boolean;
  concurrency: number;
  waitSeconds: number;
  seed: string;
  recordingBaseUrl: string | null;
}

interface StepView {
  name: string;
  status: string;
  attempts?: number;
  lastError?: string | null;
}

interface CallView {
  status: string;
  callStatus?: string | null;
  steps?: StepView[];
}

interface CallReport {
  call: GeneratedCall;
  deliveries: number;
  nonOk: number;
  view: CallView | null;
  /** HTTP status (or "error") of the latest GET /calls/:call_id. */
  lastPoll: string;
}

const USAGE = `usage: npm run simulate -- [--calls N] [--url URL] [--token T] [--duplicates K] [--shuffle]
                        [--concurrency C] [--wait SECONDS] [--seed S] [--recording-base-url URL]`;

function positiveInteger(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    throw new UsageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer (got "${raw}")`);
  }
  return value;
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${name} must be an http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${name} must be an http(s) URL (got "${raw}")`);
  }
  return url;
}

function defaultToken(): string | undefined {
  const fromEnv = (process.env['WEBHOOK_TOKENS'] ?? '')
    .split(',')
    .map((token) => token.trim())
    .find(Boolean);
  if (fromEnv) return fromEnv;
  // `npm start` in embedded mode writes its generated token here.
  if (existsSync(TOKEN_FILE)) return readFileSync(TOKEN_FILE, 'utf8').trim() || undefined;
  return undefined;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        calls: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        duplicates: { type: 'string' },
        shuffle: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        wait: { type: 'string' },
        seed: { type: 'string' },
        'recording-base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid options');
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = process.env['PORT']?.trim() || '3000';
  const webhookPath = process.env['WEBHOOK_PATH']?.trim() || '/webhooks/ringg';
  const url = httpUrl(
    values.url !== undefined ? '--url' : 'SIMULATE_URL',
    values.url ?? (process.env['SIMULATE_URL']?.trim() || `http://127.0.0.1:${port}${webhookPath}`)
  );
  const token = values.token ?? defaultToken();
  if (!token) {
    throw new UsageError(`no token: pass --token, set WEBHOOK_TOKENS, or run npm start (it writes ${TOKEN_FILE})`);
  }
  const recordingBaseUrl =
    values['recording-base-url'] === undefined
      ? null
      : httpUrl('--recording-base-url', values['recording-base-url']).toString();
  return {
    calls: positiveInteger('calls', values.calls, 10),
    url,
    token,
    duplicates: positiveInteger('duplicates', values.duplicates, 0, true),
    shuffle: values.shuffle,
    concurrency: positiveInteger('concurrency', values.concurrency, 8),
    waitSeconds: positiveInteger('wait', values.wait, 60, true),
    // A fresh seed by default so a second run does not replay finished call ids; printed so any run can be repeated.
    seed: values.seed ?? String(Date.now()),
    recordingBaseUrl,
  };
}

/** Runs `worker` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  });
  await Promise.all(lanes);
}

// fetch wraps network failures as "fetch failed" with the useful reason (ECONNREFUSED…) in `cause`.
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timeout';
  return error.cause instanceof Error ? error.cause.message : error.message;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`simulate: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const headers = { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' };
  const outcomes = new Map<string, number>();
  const count = (outcome: string): void => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };

  // Ringg hosts the audio of a real call; here the simulator does, unless told where recordings live.
  const recordingHost = options.recordingBaseUrl === null ? await startRecordingHost() : null;
  const recordingBaseUrl = options.recordingBaseUrl ?? recordingHost?.baseUrl ?? null;
  const startedAt = new Date();
  const reports: CallReport[] = Array.from({ length: options.calls }, (_, index) => ({
    call: generateCall({ seed: options.seed, index, startedAt, recordingBaseUrl }),
    deliveries: 0,
    nonOk: 0,
    view: null,
    lastPoll: 'not polled',
  }));
  console.log(
    `simulate: ${options.calls} calls → ${options.url.href} (seed ${options.seed}, duplicates ${options.duplicates}` +
      `${options.shuffle ? ', shuffled' : ''}, concurrency ${options.concurrency})`
  );

  const deliver = async (report: CallReport, delivery: Delivery): Promise<void> => {
    report.deliveries++;
    let outcome: string;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(delivery.payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let status: unknown;
      try {
        status = (JSON.parse(text) as { status?: unknown }).status;
      } catch {
        status = undefined;
      }
      outcome =
        response.status === 200 ? `200 ${typeof status === 'string' ? status : '(no status)'}` : `${response.status}`;
      if (response.status !== 200) report.nonOk++;
    } catch (error) {
      outcome = `error: ${describeFetchError(error)}`;
      report.nonOk++;
    }
    count(outcome);
  };

  const sendStarted = performance.now();
  const planRng = createRng(`${options.seed}:deliveries`);
  const plans = new Map(reports.map((report) => [report, planDeliveries(report.call.events, options, planRng)]));
  await forEachLimited(reports, options.concurrency, async (report) => {
    for (const batch of plans.get(report) ?? []) {
      await Promise.all(batch.map((delivery) => deliver(report, delivery)));
    }
  });
  const sendSeconds = (performance.now() - sendStarted) / 1000;
  const totalDeliveries = reports.reduce((sum, report) => sum + report.deliveries, 0);
  console.log(
    `sent ${totalDeliveries} deliveries in ${sendSeconds.toFixed(2)} s (${(totalDeliveries / sendSeconds).toFixed(1)} events/s)`
  );

  // The pipeline finishes asynchronously after the 200s, so poll each call's view until it settles.
  const origin = options.url.origin;
  const deadline = Date.now() + options.waitSeconds * 1000;
  const fetchView = async (report: CallReport): Promise<void> => {
    try {
      const response = await fetch(`${origin}/calls/${encodeURIComponent(report.call.callId)}`, {
        headers: { Authorization: headers.Authorization },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      report.lastPoll = String(response.status);
      if (response.status === 200) report.view = (await response.json()) as CallView;
      else await response.arrayBuffer();
    } catch {
      report.lastPoll = 'error';
      // Transient: the next poll round tries again.
    }
  };
  const pending = (): CallReport[] => reports.filter((report) => !FINAL_STATUSES.has(report.view?.status ?? ''));
  for (;;) {
    await forEachLimited(pending(), options.concurrency, fetchView);
    if (pending().length === 0 || Date.now() >= deadline) break;
    await sleep(POLL_INTERVAL_MS);
  }
  const elapsedSeconds = (performance.now() - sendStarted) / 1000;
  await recordingHost?.close();

  printReport(reports);
  console.log('\ndeliveries by outcome:');
  for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${outcome.padEnd(32)} ${n}`);
  if (recordingHost) console.log(`\nrecordings served to the archive step: ${recordingHost.downloads()}`);
  console.log(
    `\nelapsed ${elapsedSeconds.toFixed(2)} s (sending ${sendSeconds.toFixed(2)} s), ` +
      `${(totalDeliveries / sendSeconds).toFixed(1)} events/s`
  );

  const unfinished = pending().length;
  const nonOk = reports.reduce((sum, report) => sum + report.nonOk, 0);
  if (unfinished > 0) console.log(`${unfinished} call(s) did not reach a final status within ${options.waitSeconds} s`);
  if (nonOk > 0) console.log(`${nonOk} deliveries did not get HTTP 200`);
  return unfinished === 0 && nonOk === 0 ? 0 : 1;
}

function stepsSummary(steps: StepView[] | undefined): string {
  if (!steps || steps.length === 0) return '-';
  return steps
    .map(
      (step) =>
        `${step.name}:${step.status}${step.status === 'failed' && step.lastError ? ` (${step.lastError.slice(0, 40)})` : ''}`
    )
    .join(' ');
}

/** What the table shows for a call whose view never came back: the last poll's HTTP outcome. */
const pipelineStatus = (report: CallReport): string => report.view?.status ?? `unknown (${report.lastPoll})`;

function printReport(reports: readonly CallReport[]): void {
  if (reports.length <= 50) {
    console.log(
      `\n${'call'.padEnd(9)} ${'sent'.padStart(4)}  ${'simulated'.padEnd(17)} ${'pipeline'.padEnd(11)} ${'ringg'.padEnd(10)} steps`
    );
    for (const report of reports) {
      const { call, deliveries, view } = report;
      console.log(
        `${call.callId.slice(0, 8).padEnd(9)} ${String(deliveries).padStart(4)}  ${call.scenario.padEnd(17)} ` +
          `${pipelineStatus(report).padEnd(11)} ${(view?.callStatus ?? '-').padEnd(10)} ${stepsSummary(view?.steps)}`
      );
    }
  }
  const tally = (key: (report: CallReport) => string): [string, number][] => {
    const counts = new Map<string, number>();
    for (const report of reports) counts.set(key(report), (counts.get(key(report)) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  };
  console.log('\ncalls by pipeline status:');
  for (const [status, n] of tally(pipelineStatus)) {
    console.log(`  ${status.padEnd(32)} ${n}${status === 'failed' ? '  (finished, but a step failed for good)' : ''}`);
  }
  console.log('calls by simulated scenario:');
  for (const [scenario, n] of tally((report) => report.call.scenario)) console.log(`  ${scenario.padEnd(32)} ${n}`);
  console.log('calls by Ringg call status:');
  for (const [status, n] of tally((report) => report.view?.callStatus ?? '-'))
    console.log(`  ${status.padEnd(32)} ${n}`);
  const failed = reports.filter((report) => report.view?.status === 'failed');
  if (failed.length > 0) console.log('failed calls:');
  for (const { call, view } of failed.slice(0, 20)) console.log(`  ${call.callId}: ${stepsSummary(view?.steps)}`);
  if (failed.length > 20) console.log(`  … and ${failed.length - 20} more`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`simulate: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
);
