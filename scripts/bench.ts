/*
 * `npm run bench` (SPEC §10): one command that starts headless in-memory Temporal dev servers
 * (a fresh one per run that uses Temporal) and a worker, and measures side by side, with the
 * same autocannon settings and the same realistic payloads:
 *   (a) bare Koa answering 200          (b) raw signalWithStart behind node:http
 *   (c) Express + better-sqlite3 insert  (d) our receiver
 * then the receiver's cost curves (payload size, connections) and an end-to-end run through
 * the worker's post-call steps. Writes bench/results/latest.json (+ a dated copy) and curves.svg.
 * Every server under test is its own child process, so its RSS is its own.
 *
 * Exit code: 1 when a scenario had errors or produced nothing, or the e2e calls did not all
 * complete with exactly one CRM delivery (timing targets are reported, never asserted); 2 bad options.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import packageJson from '../package.json';
import { startRecordingHost, type RecordingHost } from '../src/simulate/recording-host';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { findTemporalCli } from '../src/temporal/find-temporal-cli';
import { CALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { installExitHook, startChild, type BenchChild } from './bench/children';
import { compileForChildren, removeCompiled } from './bench/compile';
import { runEndToEnd, startCrmSink, type CrmSink, type E2eResult } from './bench/e2e';
import { BENCH_HEADERS, receiverOutcomes, runLoad, type LoadResult, type LoadSettings } from './bench/load';
import { createPayloadMix } from './bench/payloads';
import { formatProfile, summarizeProfile, type ProfileSummary } from './bench/summarize-profile';
import { renderCharts, type Panel } from './bench/svg';

const PROJECT_ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
const WEBHOOK_PATH = '/webhooks/ringg';
const TOKEN = 'bench-token-0123456789abcdef';
// The load scenarios start workflows on a queue no worker polls: intake is measured alone, and
// a backlog left by one scenario cannot steal CPU from the next.
const INTAKE_QUEUE = 'bench-intake';
const E2E_QUEUE = 'bench-e2e';
const TARGETS = { throughputRatioMin: 0.9, p99RatioMax: 1.2, receiverRssMaxMb: 150 };

class UsageError extends Error {}

interface Options {
  durationSec: number;
  connections: number;
  smoke: boolean;
  skipCurves: boolean;
  calls: number;
  profile: boolean;
  /** Extra node flags for the receiver children, for experiments (e.g. GC tuning). */
  receiverNodeArgs: string[];
}

const USAGE = `usage: npm run bench -- [--duration SECONDS] [--connections N] [--calls N] [--smoke] [--skip-curves] [--profile]
  --duration     measured seconds per scenario and curve point (default 10; --smoke: 2)
  --connections  autocannon connections for (a)-(d) and the payload curve (default 32)
  --calls        calls for the end-to-end run (default 200; --smoke: 5)
  --smoke        seconds-long run for CI: checks that every scenario answers without errors
  --skip-curves  skip the payload-size and connection curves
  --profile      run the receiver (d) and raw signal (b) children under --cpu-prof and summarise
  --receiver-node-args "FLAGS"  node flags for the receiver (d) children instead of those of npm run start:receiver`;

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} must be a positive integer (got "${raw}")`);
  }
  return Number(raw);
}

/** The node flags `npm run start:receiver` runs with (heap limits), so (d) is measured as deployed. */
function productionReceiverFlags(): string[] {
  const script = (packageJson as { scripts: Record<string, string> }).scripts['start:receiver'] ?? '';
  return script.split(/\s+/).filter((word) => word.startsWith('--max-'));
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        calls: { type: 'string' },
        smoke: { type: 'boolean', default: false },
        'skip-curves': { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        'receiver-node-args': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const smoke = values.smoke ?? false;
  return {
    smoke,
    durationSec: positiveInteger('duration', values.duration, smoke ? 2 : 10),
    connections: positiveInteger('connections', values.connections, 32),
    calls: positiveInteger('calls', values.calls, smoke ? 5 : 200),
    skipCurves: values['skip-curves'] ?? false,
    profile: values.profile ?? false,
    receiverNodeArgs:
      values['receiver-node-args'] === undefined
        ? productionReceiverFlags()
        : values['receiver-node-args'].split(/\s+/).filter(Boolean),
  };
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** The children's environment: only what they need, so a shell's TEMPORAL_* or DATABASE_URL cannot leak in. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, NODE_ENV: 'production', ...extra };
}

interface Scenario {
  key: string;
  name: string;
  script: string;
  env: Record<string, string>;
  /** Needs a Temporal server (gets a fresh one per run). */
  temporal: boolean;
  profile: boolean;
}

interface ScenarioRow extends LoadResult {
  key: string;
  name: string;
}

interface CurvePoint extends LoadResult {
  x: number;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  installExitHook();
  const work = mkdtempSync(join(tmpdir(), 'ringg-bench-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step().catch((error: unknown) => say(`cleanup: ${String(error)}`));
    cleanups.length = 0;
  };
  const onSignal = (): void => {
    say('interrupted: stopping children');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const compiled = compileForChildren(PROJECT_ROOT);
    cleanups.push(async () => removeCompiled(compiled));
    const cli = findTemporalCli(say);
    if (!cli) throw new Error('No Temporal CLI found (set TEMPORAL_CLI_PATH or run npm run temporal:cli)');
    say(`Temporal CLI: ${cli.path} (${cli.source})`);
    const temporals = new Set<DevServer>();
    cleanups.push(async () => {
      for (const server of temporals) await server.stop();
    });
    /*
     * A fresh in-memory dev server for every run that uses Temporal: its state grows with every
     * workflow started, and a server already holding an earlier run's workflows is slower, which
     * would penalise whichever scenario runs later. Starting one takes a few seconds.
     */
    const freshTemporal = async (): Promise<DevServer> => {
      const server = await startDevServer({
        cliPath: cli.path,
        port: 0,
        uiPort: null,
        dbFilename: null,
        searchAttributes: CALL_SEARCH_ATTRIBUTES,
        startTimeoutMs: 90_000,
      });
      temporals.add(server);
      return server;
    };
    const stopTemporal = async (server: DevServer): Promise<void> => {
      temporals.delete(server);
      await server.stop();
    };
    const temporalEnv = (server: DevServer): Record<string, string> => ({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
    });

    const recordings: RecordingHost = await startRecordingHost();
    cleanups.push(() => recordings.close());
    const crm: CrmSink = await startCrmSink();
    cleanups.push(() => crm.close());

    const started: BenchChild[] = [];
    let spools = 0;
    cleanups.push(async () => {
      for (const child of started) await child.stop();
    });
    const start = async (name: string, script: string, env: Record<string, string>, profileName?: string) => {
      const extra = script === 'serve-receiver.ts' ? options.receiverNodeArgs : [];
      const nodeArgs = profileName
        ? [
            '--cpu-prof',
            '--cpu-prof-dir',
            join(RESULTS_DIR, 'profiles'),
            '--cpu-prof-name',
            `${profileName}.cpuprofile`,
          ]
        : [];
      // A fresh spool directory per receiver child: a spool left by an earlier child stays out of its way.
      const fresh = env['SPOOL_DIR'] ? { ...env, SPOOL_DIR: `${env['SPOOL_DIR']}-${++spools}` } : env;
      const scriptPath = join(compiled, 'scripts', 'bench', script.replace(/\.ts$/, '.js'));
      const child = await startChild(name, scriptPath, { env: childEnv(fresh), nodeArgs: [...extra, ...nodeArgs] });
      started.push(child);
      return child;
    };
    const e2eDb = join(work, 'e2e.db');

    const receiverEnv = (queue: string, db: string, log: string): Record<string, string> => ({
      // Each receiver owns its spool directory (the spool takes a pid lock).
      SPOOL_DIR: join(work, 'spool'),
      TASK_QUEUE: queue,
      DATABASE_URL: `sqlite:${db}`,
      WEBHOOK_TOKENS: TOKEN,
      WEBHOOK_PATH,
      LOG_LEVEL: 'info',
      BENCH_LOG_FILE: log,
    });
    const scenarios: Scenario[] = [
      { key: 'a', name: 'bare Koa 200', script: 'serve-bare-koa.ts', env: {}, temporal: false, profile: false },
      {
        key: 'b',
        name: 'raw signalWithStart',
        script: 'serve-raw-signal.ts',
        env: { TASK_QUEUE: INTAKE_QUEUE },
        temporal: true,
        profile: options.profile,
      },
      {
        key: 'c',
        name: 'Express + SQLite',
        script: 'serve-express-sqlite.ts',
        env: { BENCH_SQLITE_FILE: join(work, 'express.db') },
        temporal: false,
        profile: false,
      },
      {
        key: 'd',
        name: 'receiver',
        script: 'serve-receiver.ts',
        env: receiverEnv(INTAKE_QUEUE, join(work, 'receiver.db'), join(work, 'receiver.log')),
        temporal: true,
        profile: options.profile,
      },
    ];

    const settings: LoadSettings = {
      connections: options.connections,
      durationSec: options.durationSec,
      warmupSec: options.smoke ? 0.5 : 2,
      timeoutSec: 10,
    };
    const headers = BENCH_HEADERS(TOKEN);
    let runTag = 0;
    const mixFor = (transcriptBytes: number | null) =>
      createPayloadMix({ seed: 'bench', runTag: ++runTag, transcriptBytes });
    const profiles: ProfileSummary[] = [];

    /** One server child, one measured load run, child stopped (its RSS is gone with it). */
    const measure = async (
      label: string,
      scenario: Scenario,
      mix: ReturnType<typeof mixFor>,
      loadSettings: LoadSettings,
      profileName?: string
    ): Promise<LoadResult> => {
      const server = scenario.temporal ? await freshTemporal() : null;
      let child: BenchChild | null = null;
      try {
        child = await start(
          label,
          scenario.script,
          { ...scenario.env, ...(server ? temporalEnv(server) : {}) },
          profileName
        );
        const base = `http://127.0.0.1:${child.port}`;
        const outcomes = scenario.key === 'd' ? () => receiverOutcomes(base) : undefined;
        return await runLoad(child, `${base}${WEBHOOK_PATH}`, mix, headers, loadSettings, outcomes);
      } finally {
        if (child) {
          await child.stop();
          started.splice(started.indexOf(child), 1);
        }
        if (server) await stopTemporal(server);
        if (profileName) {
          const file = join(RESULTS_DIR, 'profiles', `${profileName}.cpuprofile`);
          try {
            profiles.push(summarizeProfile(file));
          } catch (error) {
            say(`  could not read profile ${file}: ${String(error)}`);
          }
        }
      }
    };

    if (options.profile) {
      mkdirSync(join(RESULTS_DIR, 'profiles'), { recursive: true });
      // Fresh files only: an old profile must not be summarised as this run's.
      for (const old of readdirSync(join(RESULTS_DIR, 'profiles'))) rmSync(join(RESULTS_DIR, 'profiles', old));
    }

    const rows: ScenarioRow[] = [];
    for (const scenario of scenarios) {
      say(`(${scenario.key}) ${scenario.name}: ${settings.connections} connections, ${settings.durationSec} s…`);
      const result = await measure(
        scenario.name,
        scenario,
        mixFor(null),
        settings,
        scenario.profile ? `scenario-${scenario.key}` : undefined
      );
      rows.push({ key: scenario.key, name: scenario.name, ...result });
      say(progressLine(result));
    }

    const receiverScenario = scenarios[3] as Scenario;
    const curves: { payload: CurvePoint[]; connections: CurvePoint[] } = { payload: [], connections: [] };
    if (!options.skipCurves) {
      const sizes = options.smoke ? [1024, 100 * 1024] : [1024, 10 * 1024, 100 * 1024, 500 * 1024];
      const connectionCounts = options.smoke ? [1, 16] : [1, 4, 16, 64, 256];
      for (const bytes of sizes) {
        say(`curve: receiver, transcripts ~${bytes / 1024} KB, ${settings.connections} connections…`);
        const result = await measure('receiver', receiverScenario, mixFor(bytes), settings);
        curves.payload.push({ x: bytes, ...result });
        say(progressLine(result));
      }
      for (const connections of connectionCounts) {
        say(`curve: receiver, ${connections} connections…`);
        const result = await measure('receiver', receiverScenario, mixFor(null), { ...settings, connections });
        curves.connections.push({ x: connections, ...result });
        say(progressLine(result));
      }
    }

    say(`end to end: starting a fresh Temporal server and the worker (it bundles the workflow code first)…`);
    const e2eTemporal = await freshTemporal();
    const worker = await start('worker', 'worker-process.ts', {
      ...temporalEnv(e2eTemporal),
      TASK_QUEUE: E2E_QUEUE,
      DATABASE_URL: `sqlite:${e2eDb}`,
      CRM_URL: crm.url,
      CRM_TOKEN: 'bench-crm-token',
      RECORDINGS_DIR: join(work, 'recordings'),
      LOG_LEVEL: 'info',
      BENCH_LOG_FILE: join(work, 'worker.log'),
    });
    const e2eReceiver = await start('receiver (e2e)', 'serve-receiver.ts', {
      ...receiverEnv(E2E_QUEUE, e2eDb, join(work, 'receiver-e2e.log')),
      ...temporalEnv(e2eTemporal),
    });
    say(`end to end: ${options.calls} calls through receiver and worker…`);
    const e2e: E2eResult = await runEndToEnd({
      calls: options.calls,
      concurrency: Math.min(options.connections, options.calls),
      receiverUrl: `http://127.0.0.1:${e2eReceiver.port}${WEBHOOK_PATH}`,
      token: TOKEN,
      dbFile: e2eDb,
      crm,
      recordingBaseUrl: recordings.baseUrl,
      recordingDownloads: () => recordings.downloads(),
      receiver: e2eReceiver,
      worker,
      seed: `bench-e2e-${Date.now()}`,
    });

    const byKey = (key: string): ScenarioRow | undefined => rows.find((row) => row.key === key);
    const b = byKey('b');
    const d = byKey('d');
    const ratio = (x: number | undefined, y: number | undefined): number | null =>
      x === undefined || y === undefined || y === 0 ? null : Math.round((x / y) * 1000) / 1000;
    const ratios = { throughput_d_over_b: ratio(d?.rps, b?.rps), p99_d_over_b: ratio(d?.p99_ms, b?.p99_ms) };
    const curveRss = [...curves.payload, ...curves.connections].map((point) => point.rss_mb ?? 0);
    const targets = {
      throughput_ge_0_9_b:
        ratios.throughput_d_over_b !== null && ratios.throughput_d_over_b >= TARGETS.throughputRatioMin,
      p99_le_1_2_b: ratios.p99_d_over_b !== null && ratios.p99_d_over_b <= TARGETS.p99RatioMax,
      receiver_rss_lt_150mb: d?.rss_mb !== null && d?.rss_mb !== undefined && d.rss_mb < TARGETS.receiverRssMaxMb,
      receiver_rss_lt_150mb_on_every_curve_point: curveRss.every((rss) => rss < TARGETS.receiverRssMaxMb),
      e2e_all_stored: e2e.all_completed,
      e2e_crm_exactly_once: e2e.crm_exactly_once_all,
      no_errors:
        [...rows, ...curves.payload, ...curves.connections].every((row) => row.errors === 0) && e2e.http_errors === 0,
    };

    const report = {
      generated_at: new Date().toISOString(),
      mode: options.smoke ? 'smoke' : 'full',
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? null,
        memory_gb: Math.round(totalmem() / 1024 ** 3),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        temporal_cli: cli.path,
      },
      settings: {
        duration_s: settings.durationSec,
        warmup_s: settings.warmupSec,
        connections: settings.connections,
        pipelining: 1,
        timeout_s: settings.timeoutSec,
        payload: 'realistic generateCall sequences (~6.3 events/call), block-interleaved, every call id new',
        mean_body_bytes: rows[0]?.mean_body_bytes ?? null,
        intake_task_queue: `${INTAKE_QUEUE} (no worker polls it; the worker runs only for the e2e run)`,
        receiver_log: 'pino at info to a file (sync destination, like the default stdout)',
        temporal:
          'temporal server start-dev, headless, in memory, same machine, a fresh one per (b)/(d)/curve point/e2e run',
        e2e_calls: options.calls,
        profiled: options.profile,
        receiver_node_args: options.receiverNodeArgs,
      },
      scenarios: rows.map((row) => ({ ...row })),
      ratios,
      targets: { ...TARGETS, met: targets },
      curves: {
        payload_size: curves.payload.map((point) => ({ transcript_bytes: point.x, ...point })),
        connections: curves.connections.map((point) => ({ ...point })),
      },
      e2e,
      profiles,
    };

    printTable(rows, ratios, targets, curves, e2e);
    for (const summary of profiles) say(`\n${formatProfile(summary)}`);

    mkdirSync(RESULTS_DIR, { recursive: true });
    // Smoke, profiled and flag-experiment runs never overwrite a plain run's latest.json.
    const suffix = `${options.smoke ? '-smoke' : ''}${options.profile ? '-profile' : ''}${options.receiverNodeArgs.join(' ') !== productionReceiverFlags().join(' ') ? '-tuned' : ''}`;
    const stamp = report.generated_at.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(join(RESULTS_DIR, `latest${suffix}.json`), json);
    writeFileSync(join(RESULTS_DIR, `${stamp}${suffix}.json`), json);
    if (curves.payload.length > 0 || curves.connections.length > 0) {
      writeFileSync(join(RESULTS_DIR, `curves${suffix}.svg`), curvesSvg(curves, report.machine, settings));
    }
    say(
      `\nWrote ${join(RESULTS_DIR, `latest${suffix}.json`)} and ${stamp}${suffix}.json${curves.payload.length > 0 ? `, curves${suffix}.svg` : ''}`
    );

    const problems: string[] = [];
    const notes: string[] = [];
    const label = (row: ScenarioRow | CurvePoint): string => ('name' in row ? row.name : `curve point ${row.x}`);
    for (const row of rows) {
      if (row.requests === 0) problems.push(`${label(row)}: no responses`);
      if (row.errors > 0) problems.push(`${label(row)}: ${row.errors} errors ${JSON.stringify(row.error_detail)}`);
    }
    // Curves push the receiver past its limits on purpose (256 connections, 500 KB bodies):
    // spooled answers there are data. Only the smoke run, whose points are mild, insists on 0.
    for (const point of [...curves.payload, ...curves.connections]) {
      if (point.requests === 0) problems.push(`${label(point)}: no responses`);
      if (point.errors > 0) {
        (options.smoke ? problems : notes).push(
          `${label(point)}: ${point.errors} errors ${JSON.stringify(point.error_detail)}`
        );
      }
    }
    for (const row of [...rows, ...curves.payload, ...curves.connections]) {
      if ((row.foreign_cpu_cores ?? 0) > NOISY_FOREIGN_CORES) {
        notes.push(
          `${label(row)}: other processes used ${row.foreign_cpu_cores} CPU during the run; its numbers are noisy`
        );
      }
    }
    for (const note of notes) say(`note: ${note}`);
    if (!e2e.all_completed)
      problems.push(`e2e: ${e2e.completed_calls}/${e2e.calls} calls completed (${JSON.stringify(e2e.statuses)})`);
    if (!e2e.crm_exactly_once_all)
      problems.push(`e2e: CRM deliveries not exactly once per call ${JSON.stringify(e2e.crm)}`);
    if (e2e.http_errors > 0) problems.push(`e2e: ${e2e.http_errors} event posts were not answered 200`);
    for (const problem of problems) say(`FAIL ${problem}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

function progressLine(result: LoadResult): string {
  return `    ${result.rps} req/s, p99 ${result.p99_ms} ms, errors ${result.errors}, RSS ${result.rss_mb} MB, other processes used ${result.foreign_cpu_cores ?? '?'} CPU`;
}

/** Above this many cores used by processes outside the bench, a run's numbers are suspect. */
const NOISY_FOREIGN_CORES = 0.25;

function printTable(
  rows: ScenarioRow[],
  ratios: Record<string, number | null>,
  targets: Record<string, boolean>,
  curves: { payload: CurvePoint[]; connections: CurvePoint[] },
  e2e: E2eResult
): void {
  const pad = (value: unknown, width: number): string => String(value ?? '-').padStart(width);
  say('\n    scenario                 req/s    p50 ms  p90 ms  p99 ms  errors  RSS MB  other CPU');
  for (const row of rows) {
    say(
      `(${row.key}) ${row.name.padEnd(22)}${pad(row.rps, 8)}${pad(row.p50_ms, 9)}${pad(row.p90_ms, 8)}${pad(row.p99_ms, 8)}${pad(row.errors, 8)}${pad(row.rss_mb, 8)}${pad(row.foreign_cpu_cores, 11)}`
    );
  }
  say(
    `\nd/b throughput ${ratios['throughput_d_over_b']} (target ≥ 0.9), d/b p99 ${ratios['p99_d_over_b']} (target ≤ 1.2)`
  );
  say(
    `targets: ${Object.entries(targets)
      .map(([name, met]) => `${name}=${met ? 'met' : 'NOT met'}`)
      .join(', ')}`
  );
  if (curves.payload.length > 0) {
    say(
      '\nreceiver vs transcript size:  ' +
        curves.payload
          .map(
            (p) =>
              `${p.x / 1024} KB (body ~${Math.round(p.mean_body_bytes / 1024)} KB): ${p.rps} req/s p99 ${p.p99_ms} ms RSS ${p.rss_mb} MB`
          )
          .join(' | ')
    );
    say(
      'receiver vs connections:      ' +
        curves.connections.map((p) => `${p.x}: ${p.rps} req/s p99 ${p.p99_ms} ms`).join(' | ')
    );
  }
  say(
    `\nend to end: ${e2e.completed_calls}/${e2e.calls} calls completed (${e2e.events} events, ${e2e.concurrency} in flight), ` +
      `${e2e.calls_per_s ?? '-'} calls/s, intake ${e2e.intake_events_per_s} events/s; last event → stored row ` +
      `p50 ${e2e.last_event_to_stored_ms.p50} ms, p99 ${e2e.last_event_to_stored_ms.p99} ms; ` +
      `CRM exactly once ${e2e.crm.exactly_once}/${e2e.calls} (duplicated ${e2e.crm.duplicated}, missing ${e2e.crm.missing}); ` +
      `recordings downloaded ${e2e.recordings_downloaded}/${e2e.connected_calls}; RSS receiver ${e2e.receiver_rss_mb} MB, worker ${e2e.worker_rss_mb} MB`
  );
}

function curvesSvg(
  curves: { payload: CurvePoint[]; connections: CurvePoint[] },
  machine: { cpus: number; node: string },
  settings: LoadSettings
): string {
  const kb = (x: number): string => `${Math.round(x / 1024)} KB`;
  const panels: Panel[] = [
    {
      title: 'Throughput vs transcript size',
      xLabel: `transcript size (${settings.connections} connections)`,
      yLabel: 'requests/s',
      series: [{ label: 'receiver (d)', color: '#1f77b4', points: curves.payload.map((p) => ({ x: p.x, y: p.rps })) }],
      xTickFormat: kb,
    },
    {
      title: 'p99 latency vs transcript size',
      xLabel: `transcript size (${settings.connections} connections)`,
      yLabel: 'p99 ms',
      series: [
        { label: 'receiver (d)', color: '#d62728', points: curves.payload.map((p) => ({ x: p.x, y: p.p99_ms })) },
      ],
      xTickFormat: kb,
    },
    {
      title: 'Throughput vs connections',
      xLabel: 'connections (realistic payloads)',
      yLabel: 'requests/s',
      series: [
        { label: 'receiver (d)', color: '#1f77b4', points: curves.connections.map((p) => ({ x: p.x, y: p.rps })) },
      ],
    },
    {
      title: 'p99 latency vs connections',
      xLabel: 'connections (realistic payloads)',
      yLabel: 'p99 ms',
      series: [
        { label: 'receiver (d)', color: '#d62728', points: curves.connections.map((p) => ({ x: p.x, y: p.p99_ms })) },
      ],
    },
  ];
  return renderCharts(
    'Ringg receiver cost curves',
    `${machine.cpus} CPUs, Node ${machine.node}, ${settings.durationSec} s per point, Temporal dev server on the same machine`,
    panels
  );
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
