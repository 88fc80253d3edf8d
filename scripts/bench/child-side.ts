/*
 * Shared by the bench's child processes (servers under test, worker): how a child tells the
 * parent it is ready, and how it makes sure it never outlives the parent.
 */

export const READY_PREFIX = 'BENCH_READY ';

export interface ReadyInfo {
  pid: number;
  port?: number;
}

/** One stdout line the parent waits for; the pid is the process to sample RSS from. */
export function announceReady(port?: number): void {
  const info: ReadyInfo = { pid: process.pid, ...(port === undefined ? {} : { port }) };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`);
}

/**
 * Stops on SIGTERM/SIGINT and also when the parent's end of stdin closes, so a crashed bench
 * leaves no orphan. Exiting through process.exit (not a signal) lets `--cpu-prof` write its file.
 */
export function stopWithParent(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    cleanup()
      .catch((error: unknown) => process.stderr.write(`cleanup failed: ${String(error)}\n`))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

/** A required environment variable: the parent always sets these, so a missing one is a bench bug. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this script is started by scripts/bench.ts)`);
  return value;
}
