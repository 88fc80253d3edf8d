import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallEventDelivery } from '../../../src/events';
import { FileSpool, SpoolUnavailableError } from '../../../src/spool/file-spool';

function delivery(n: number, padding = ''): CallEventDelivery {
  return {
    deliveryId: `delivery-${n}`,
    receivedAt: new Date(1_700_000_000_000 + n).toISOString(),
    payload: { call_id: `call-${n}`, event_type: 'call_started', padding },
    schemaIssues: [],
  };
}

describe('FileSpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands entries back oldest first and forgets them once removed', () => {
    const spool = FileSpool.open(dir, 1024 * 1024);
    for (let n = 0; n < 5; n++) spool.append(delivery(n));
    const seen: string[] = [];
    for (let entry = spool.peek(); entry; entry = spool.peek()) {
      seen.push(spool.read(entry).deliveryId);
      spool.remove(entry);
    }
    expect(seen).toEqual(['delivery-0', 'delivery-1', 'delivery-2', 'delivery-3', 'delivery-4']);
    expect(spool.depth).toBe(0);
    expect(spool.bytes).toBe(0);
    spool.close();
  });

  it('keeps entries across a restart, in order, with their sizes counted', () => {
    const first = FileSpool.open(dir, 1024 * 1024);
    for (let n = 0; n < 3; n++) first.append(delivery(n));
    const bytes = first.bytes;
    first.close();

    const second = FileSpool.open(dir, 1024 * 1024);
    expect(second.depth).toBe(3);
    expect(second.bytes).toBe(bytes);
    expect(second.read(second.peek()!).deliveryId).toBe('delivery-0');
    second.close();
  });

  it('refuses an event that would exceed its byte budget, leaving nothing behind', () => {
    const spool = FileSpool.open(dir, 600);
    spool.append(delivery(1, 'x'.repeat(300)));
    expect(() => spool.append(delivery(2, 'x'.repeat(300)))).toThrow(SpoolUnavailableError);
    expect(spool.depth).toBe(1);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    spool.close();
  });

  it('reports a disk error as SpoolUnavailableError', () => {
    const spool = FileSpool.open(dir, 1024 * 1024);
    rmSync(dir, { recursive: true, force: true });
    expect(() => spool.append(delivery(1))).toThrow(SpoolUnavailableError);
  });

  it('refuses a directory locked by another live process, and takes over a stale lock', () => {
    writeFileSync(join(dir, 'spool.lock'), String(process.ppid));
    expect(() => FileSpool.open(dir, 1024)).toThrow(/in use by process/);
    writeFileSync(join(dir, 'spool.lock'), '2147483646');
    const spool = FileSpool.open(dir, 1024);
    expect(spool.depth).toBe(0);
    spool.close();
  });

  it('discards half-written temp files from a crash and sets bad entries aside', () => {
    const first = FileSpool.open(dir, 1024 * 1024);
    first.append(delivery(1));
    first.close();
    writeFileSync(join(dir, 'tmp', 'torn-write.json'), '{"deliv');
    const spool = FileSpool.open(dir, 1024 * 1024);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    const entry = spool.peek()!;
    spool.quarantine(entry, 'unreadable');
    expect(spool.depth).toBe(0);
    expect(readdirSync(dir).filter((name) => name.endsWith('.unreadable'))).toHaveLength(1);
    spool.close();
  });

  it('reports the age of its oldest entry', () => {
    const spool = FileSpool.open(dir, 1024 * 1024);
    expect(spool.oldestAgeMs()).toBe(0);
    spool.append(delivery(1));
    expect(spool.oldestAgeMs(Date.now() + 5000)).toBeGreaterThanOrEqual(5000);
    spool.close();
  });
});
