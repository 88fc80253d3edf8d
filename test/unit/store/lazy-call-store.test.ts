import pino from 'pino';
import type { CallStore } from '../../../src/store/call-store';
import { createLazyCallStore } from '../../../src/store/lazy-call-store';
import { openCallStore } from '../../../src/store/open-call-store';

describe('createLazyCallStore', () => {
  it('fails each call clearly until the store opens, then serves from it', async () => {
    let attempts = 0;
    let opened: CallStore | null = null;
    const store = createLazyCallStore(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('connection refused');
        opened = await openCallStore('sqlite::memory:');
        return opened;
      },
      'sqlite',
      pino({ level: 'silent' }),
      20
    );
    await expect(store.isFinished('call-1')).rejects.toThrow('the store is not available yet');
    await expect(store.ping()).rejects.toThrow('the store is not available yet');

    const deadline = Date.now() + 5000;
    while (!opened && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(attempts).toBe(3);
    await store.recordStepResults({ callId: 'call-1', status: 'completed', steps: [] });
    await expect(store.isFinished('call-1')).resolves.toBe(true);
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('stops retrying once closed', async () => {
    let attempts = 0;
    const store = createLazyCallStore(
      async () => {
        attempts++;
        throw new Error('down');
      },
      'postgres',
      pino({ level: 'silent' }),
      10
    );
    await new Promise((r) => setTimeout(r, 50));
    await store.close();
    const seen = attempts;
    await new Promise((r) => setTimeout(r, 60));
    expect(attempts).toBe(seen);
    expect(seen).toBeGreaterThan(1);
  });
});
