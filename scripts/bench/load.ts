/*
 * One measured load run with autocannon against a child server: a short unmeasured warm-up
 * (JIT, connection pools, Temporal's caches), then the measured run, while the child's peak RSS
 * is tracked from /proc.
 */
import autocannon from 'autocannon';
import { startForeignCpuMeter, type BenchChild } from './children';
import type { PayloadMix } from './payloads';

export interface LoadSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** autocannon's per-request timeout; longer than the receiver's 3 s Temporal deadline. */
  timeoutSec: number;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  errors: number;
  /** The parts of `errors`, to tell a slow server from a failing one. */
  error_detail: {
    non2xx: number;
    errors: number;
    timeouts: number;
    /** Receiver answers other than `accepted` (e.g. spooled because Temporal was slow). */
    not_accepted: number;
    status_codes: Record<string, number>;
  };
  /** Peak RSS of the server process during the measured run. */
  rss_mb: number | null;
  /** RSS when the measured run began (after the warm-up). */
  rss_start_mb: number | null;
  mean_body_bytes: number;
  /** CPU (in cores) that processes outside the bench used during the measured run: noise. */
  foreign_cpu_cores: number | null;
  /** The receiver's own count of outcomes during the measured run (accepted, spooled…), from /metrics. */
  outcomes?: Record<string, number>;
  connections: number;
  duration_s: number;
}

export const BENCH_HEADERS = (token: string): Record<string, string> => ({
  'Content-Type': 'application/json',
  // Every server gets the same request bytes; only the receiver checks the token.
  Authorization: `Bearer ${token}`,
});

function fire(
  url: string,
  connections: number,
  durationSec: number,
  timeoutSec: number,
  headers: Record<string, string>,
  mix: PayloadMix
) {
  return autocannon({
    url,
    connections,
    duration: durationSec,
    timeout: timeoutSec,
    pipelining: 1,
    method: 'POST',
    headers,
    // One shared mix across connections: each request takes the next body, so no two
    // connections replay the same call (autocannon's `requests` array is per connection).
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: mix.next() }) }],
  });
}

export async function runLoad(
  child: BenchChild,
  url: string,
  mix: PayloadMix,
  headers: Record<string, string>,
  settings: LoadSettings,
  /** Reads the server's outcome counters, when it has any; read before and after the measured run. */
  readOutcomes?: () => Promise<Record<string, number>>
): Promise<LoadResult> {
  if (settings.warmupSec > 0) {
    await fire(url, settings.connections, settings.warmupSec, settings.timeoutSec, headers, mix);
  }
  const outcomesBefore = readOutcomes ? await readOutcomes() : null;
  const rssStart = child.currentRssMb();
  const resetWorked = child.resetPeakRss();
  let polledPeak = rssStart ?? 0;
  // Fallback when clear_refs is not allowed: poll VmRSS (may miss short spikes).
  const poll = setInterval(() => {
    polledPeak = Math.max(polledPeak, child.currentRssMb() ?? 0);
  }, 100);
  let result: autocannon.Result;
  const foreignCpu = startForeignCpuMeter();
  try {
    result = await fire(url, settings.connections, settings.durationSec, settings.timeoutSec, headers, mix);
  } finally {
    clearInterval(poll);
  }
  const foreignCores = foreignCpu();
  const outcomesAfter = readOutcomes ? await readOutcomes() : null;
  const outcomes =
    outcomesBefore && outcomesAfter
      ? Object.fromEntries(
          Object.entries(outcomesAfter)
            .map(([name, count]) => [name, count - (outcomesBefore[name] ?? 0)] as const)
            .filter(([, count]) => count > 0)
        )
      : undefined;
  // A 200 the receiver spooled is not a signal in Temporal: count it against the receiver.
  const notAccepted = outcomes
    ? Object.entries(outcomes).reduce((sum, [name, count]) => (name === 'accepted' ? sum : sum + count), 0)
    : 0;
  const hwm = resetWorked ? child.peakRssMb() : null;
  const rss = hwm === null ? (polledPeak > 0 ? polledPeak : null) : Math.max(hwm, polledPeak);
  const codes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count])
  );
  return {
    rps: Math.round((result.requests.total / result.duration) * 10) / 10,
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts + notAccepted,
    error_detail: {
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      not_accepted: notAccepted,
      status_codes: codes,
    },
    rss_mb: rss,
    rss_start_mb: rssStart,
    mean_body_bytes: mix.meanBodyBytes,
    foreign_cpu_cores: foreignCores,
    ...(outcomes ? { outcomes } : {}),
    connections: settings.connections,
    duration_s: result.duration,
  };
}

/** Sums `ringg_webhook_events_total` by outcome from the receiver's Prometheus text. */
export async function receiverOutcomes(baseUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('ringg_webhook_events_total{')) continue;
    const outcome = /outcome="([^"]*)"/.exec(line)?.[1] ?? 'unknown';
    counts[outcome] = (counts[outcome] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}
