/*
 * Parent side of the bench's child processes: start a compiled entry file (see compile.ts) in
 * a plain node process (so its pid and RSS are the server's alone), wait for its ready line,
 * sample its memory from /proc, and make sure it dies with the bench, on errors too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { READY_PREFIX, type ReadyInfo } from './child-side';

export interface BenchChild {
  name: string;
  pid: number;
  port: number | null;
  /** Restarts the kernel's peak-RSS counter (VmHWM) so the peak covers only what follows. */
  resetPeakRss(): boolean;
  /** Peak RSS in MB since start or the last reset; null once the process is gone. */
  peakRssMb(): number | null;
  currentRssMb(): number | null;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort when the bench exits abruptly: SIGKILL our own children, by pid. */
function killAllSync(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  // The Temporal dev server is spawned inside startDevServer, which keeps its handle private:
  // find our direct children in /proc so it cannot outlive a crashed bench either.
  for (const pid of directChildPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Our process and all its descendants (servers, Temporal dev server, their threads' processes). */
export function processTreePids(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [root];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // raced with an exiting process
    }
  }
  const tree: number[] = [];
  // Bounded by the number of processes: each pid is visited once.
  for (const queue = [root]; queue.length > 0 && tree.length < entries.length + 1;) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU ticks used by the given processes (utime + stime; exited ones count 0). */
function processTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // After "pid (comm) ": state is field 3, so utime (14) and stime (15) sit at 11 and 12.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks;
}

/** Busy and total ticks of the whole machine (/proc/stat "cpu" line). */
function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Measures how much CPU processes outside the bench used during a run, in cores: on a shared
 * machine (CI, other jobs) that is the noise in the numbers, and the report should say so.
 */
export function startForeignCpuMeter(): () => number | null {
  const before = machineTicks();
  const oursBefore = processTicks(processTreePids());
  return () => {
    const after = machineTicks();
    const oursAfter = processTicks(processTreePids());
    const elapsedPerCpu = (after.total - before.total) / cpus().length;
    if (elapsedPerCpu <= 0) return null;
    const foreign = after.busy - before.busy - (oursAfter - oursBefore);
    return Math.max(0, Math.round((foreign / elapsedPerCpu) * 100) / 100);
  };
}

export function directChildPids(): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) pids.push(Number(entry));
    } catch {
      // raced with an exiting process
    }
  }
  return pids;
}

export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSync);
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const toMb = (kb: number | null): number | null => (kb === null ? null : Math.round((kb / 1024) * 10) / 10);

export interface StartChildOptions {
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

/** `scriptPath`: an absolute path to a JS entry file. */
export async function startChild(name: string, scriptPath: string, options: StartChildOptions): Promise<BenchChild> {
  installExitHook();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), scriptPath], {
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr?.on('data', keep);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = await new Promise<ReadyInfo>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 120_000} ms:\n${output}`)),
      options.readyTimeoutMs ?? 120_000
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith(READY_PREFIX)) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo);
        } else {
          keep(Buffer.from(`${line}\n`));
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  const pid = ready.pid;
  return {
    name,
    pid,
    port: ready.port ?? null,
    resetPeakRss() {
      try {
        // "5" resets VmHWM to the current RSS (proc(5), clear_refs).
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    peakRssMb: () => toMb(statusKb(pid, 'VmHWM')),
    currentRssMb: () => toMb(statusKb(pid, 'VmRSS')),
    stop,
  };
}
