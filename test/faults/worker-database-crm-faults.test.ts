import { Client as PgClient } from 'pg';
import { startApp, type AppProcess } from '../helpers/app-process';
import { appliedCrmRequests } from '../helpers/local-services';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { makeCalls, makeWorld, newSendLog, post, until, type FaultWorld } from './fault-kit';

/*
 * Real processes against the shared dev server and a throw-away PostgreSQL: the CRM answers
 * 503 for a while, the worker is killed with SIGKILL in the middle of its steps and replaced,
 * and PostgreSQL is stopped and started while steps run. Every call must still end stored once
 * with exactly one successful CRM delivery.
 */
// Real processes, outages and restarts: minutes, not seconds.
jest.setTimeout(300_000);

describe('worker killed mid-step, PostgreSQL restarted, CRM unavailable for a while', () => {
  let postgres: TestPostgres;
  let world: FaultWorld;
  const processes: AppProcess[] = [];

  afterAll(async () => {
    for (const process of processes) await process.kill('SIGKILL');
    await world?.close();
    await postgres?.stop();
  });

  it('stores every call once and delivers it to the CRM exactly once', async () => {
    postgres = await startPostgres();
    world = await makeWorld(process.env['TEMPORAL_TEST_ADDRESS'] as string, postgres.url);
    // The CRM first fails, then stops answering: CRM steps are mid-request when the worker dies.
    world.services.crmScript.push(...Array<number>(12).fill(503), ...Array<'hang'>(6).fill('hang'));

    const firstWorker = await startApp('worker', world.env());
    processes.push(firstWorker);
    const receiver = await startApp('receiver', world.env());
    processes.push(receiver);

    const calls = makeCalls(12, 'worker-db-crm', world.recordingHost);
    const log = newSendLog();
    const webhook = `${world.receiverUrl}/webhooks/ringg`;
    await Promise.all(
      calls.map(async (call) => {
        for (const event of call.events) await post(webhook, event, log);
      })
    );
    expect(log.answered200).toBe(log.sent);

    await until(
      async () => (world.services.crmRequests.filter((r) => r.answeredWith === 0).length >= 3 ? true : undefined),
      60_000,
      'CRM requests to be in flight'
    );
    await firstWorker.kill('SIGKILL');
    processes.push(await startApp('worker', world.env()));

    await postgres.pause();
    await new Promise((r) => setTimeout(r, 3000));
    await postgres.resume();

    const db = new PgClient({ connectionString: postgres.url });
    await db.connect();
    try {
      const ids = calls.map((call) => call.callId);
      const rows = await until(
        async () => {
          const result = await db.query(
            'SELECT call_id, status, steps FROM calls WHERE call_id = ANY($1) AND finished_at IS NOT NULL',
            [ids]
          );
          return result.rows.length === calls.length ? result.rows : undefined;
        },
        150_000,
        'every call to be finished'
      );
      const counts = await db.query(
        `SELECT (SELECT count(*)::int FROM calls WHERE call_id = ANY($1)) AS calls,
                (SELECT count(*)::int FROM call_events WHERE call_id = ANY($1)) AS events`,
        [ids]
      );
      // Exactly-once is the CRM's side of the contract: it dedupes by Idempotency-Key. A worker
      // killed after the CRM answered but before the step was recorded sends the call again.
      const crmOk = appliedCrmRequests(world.services.crmRequests);
      const replays = world.services.crmRequests.filter((request) => request.replay).length;
      const perCall = new Map<string, number>();
      for (const request of crmOk) {
        const key = String(request.headers['idempotency-key']);
        perCall.set(key, (perCall.get(key) ?? 0) + 1);
      }
      process.stdout.write(
        `\n[faults] worker SIGKILL + PostgreSQL restart + CRM 503s: calls ${calls.length}, ` +
          `events sent ${log.sent}, answered 200 ${log.answered200}, call rows ${counts.rows[0].calls}, ` +
          `event rows ${counts.rows[0].events}, CRM attempts ${world.services.crmRequests.length}, ` +
          `CRM deliveries applied ${crmOk.length}, replayed by Idempotency-Key ${replays}\n`
      );
      expect(counts.rows[0].calls).toBe(calls.length);
      expect(rows.every((row) => row.status === 'completed')).toBe(true);
      expect([...perCall.values()]).toEqual(Array(calls.length).fill(1));
      expect(new Set(perCall.keys())).toEqual(new Set(ids));
    } finally {
      await db.end();
    }
  });
});
