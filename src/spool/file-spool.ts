import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CallEventDelivery } from '../events';

/** The spool cannot take the event (full, or the disk failed): the receiver answers 503. */
export class SpoolUnavailableError extends Error {
  override name = 'SpoolUnavailableError';
}

export interface SpoolEntry {
  /** File name; sorts oldest first. */
  name: string;
  bytes: number;
  spooledAt: number;
}

const ENTRY = /^(\d{13})-(\d{6})-[0-9a-f-]{36}\.json$/;

function fsyncDirectory(dir: string): void {
  // A rename is durable only once the directory entry itself is on disk.
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A durable FIFO of deliveries on local disk: one fsync'd file per event, renamed into place so
 * a crash never leaves half an entry. Owned by one process at a time (a pid lock file), since
 * each receiver keeps its own spool directory.
 */
export class FileSpool {
  private entries: SpoolEntry[] = [];
  private totalBytes = 0;
  private counter = 0;
  private readonly tmpDir: string;
  private readonly lockPath: string;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number
  ) {
    this.tmpDir = join(dir, 'tmp');
    this.lockPath = join(dir, 'spool.lock');
  }

  /** Opens (creating) the spool, takes its lock, and indexes what an earlier run left in it. */
  static open(dir: string, maxBytes: number): FileSpool {
    const spool = new FileSpool(dir, maxBytes);
    mkdirSync(spool.tmpDir, { recursive: true });
    spool.lock();
    for (const leftover of readdirSync(spool.tmpDir)) unlinkSync(join(spool.tmpDir, leftover));
    for (const name of readdirSync(dir)
      .filter((file) => ENTRY.test(file))
      .sort()) {
      const bytes = statSync(join(dir, name)).size;
      spool.entries.push({ name, bytes, spooledAt: Number(ENTRY.exec(name)?.[1]) });
      spool.totalBytes += bytes;
    }
    return spool;
  }

  private lock(): void {
    try {
      writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(this.lockPath, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `SPOOL_DIR ${this.dir} is in use by process ${owner}: give each receiver its own spool directory`
        );
      }
      writeFileSync(this.lockPath, String(process.pid));
    }
  }

  get depth(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Milliseconds since the oldest waiting event was spooled; 0 when empty. */
  oldestAgeMs(now = Date.now()): number {
    const oldest = this.entries[0];
    return oldest ? Math.max(0, now - oldest.spooledAt) : 0;
  }

  /** Writes the delivery durably (fsync'd file and directory) before returning. */
  append(delivery: CallEventDelivery): SpoolEntry {
    const body = Buffer.from(JSON.stringify(delivery));
    if (this.totalBytes + body.length > this.maxBytes) {
      throw new SpoolUnavailableError(`spool full (${this.totalBytes} of ${this.maxBytes} bytes used)`);
    }
    const now = Date.now();
    this.counter = (this.counter + 1) % 1_000_000;
    const name = `${String(now).padStart(13, '0')}-${String(this.counter).padStart(6, '0')}-${randomUUID()}.json`;
    const tmpPath = join(this.tmpDir, name);
    try {
      const fd = openSync(tmpPath, 'w', 0o600);
      try {
        writeSync(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmpPath, join(this.dir, name));
      fsyncDirectory(this.dir);
    } catch (error) {
      try {
        unlinkSync(tmpPath);
      } catch {
        // Nothing to clean up.
      }
      throw new SpoolUnavailableError(`spool write failed: ${(error as Error).message}`);
    }
    const entry = { name, bytes: body.length, spooledAt: now };
    this.entries.push(entry);
    this.totalBytes += entry.bytes;
    return entry;
  }

  /** The oldest waiting entry, if any. */
  peek(): SpoolEntry | undefined {
    return this.entries[0];
  }

  read(entry: SpoolEntry): CallEventDelivery {
    return JSON.parse(readFileSync(join(this.dir, entry.name), 'utf8')) as CallEventDelivery;
  }

  /** Removes an entry once Temporal has it; the caller must only do so after signalWithStart succeeded. */
  remove(entry: SpoolEntry): void {
    try {
      unlinkSync(join(this.dir, entry.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const index = this.entries.indexOf(entry);
    if (index >= 0) {
      this.entries.splice(index, 1);
      this.totalBytes -= entry.bytes;
    }
  }

  /** Sets an entry aside (renamed `<name>.<reason>`) so one bad file cannot block the queue; kept for inspection. */
  quarantine(entry: SpoolEntry, reason: 'unreadable' | 'rejected'): void {
    renameSync(join(this.dir, entry.name), join(this.dir, `${entry.name}.${reason}`));
    this.remove(entry);
  }

  close(): void {
    try {
      if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockPath);
    } catch {
      // Already gone.
    }
  }
}
