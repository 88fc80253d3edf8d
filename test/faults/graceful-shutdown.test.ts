import { connect } from 'node:net';
import { openCallStore } from '../../src/store/open-call-store';
import type { CallStore } from '../../src/store/call-store';
import { freePort } from '../../src/temporal/dev-server';
import { eventKey } from '../../workflows/call-state';
import { startApp, type AppProcess } from '../helpers/app-process';
import { appliedCrmRequests } from '../helpers/local-services';
import { makeCalls, makeWorld, newSendLog, post, until, type FaultWorld, type SendLog } from './fault-kit';

/*
 * SIGTERM while a sender keeps posting: the receiver stops accepting, finishes what it has
 * started and exits; the worker finishes its in-flight tasks. No answer may be a 5xx, and
 * every event answered 200 must reach its workflow. The worker here is a separate process
 * against an external Temporal server, as in production, with its Prometheus endpoint on.
 */
/** True when nothing listens on the receiver's port right now (it is restarting). */
async function refusedConnection(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

// Real processes, outages and restarts: minutes, not seconds.
jest.setTimeout(300_000);

describe('graceful shutdown under load', () => {
  let world: FaultWorld;
  let store: CallStore;
  const processes: AppProcess[] = [];

  afterAll(async () => {
    for (const process of processes) await process.kill('SIGKILL');
    await store?.close();
    await world?.close();
  });

  it('answers no 5xx and loses no accepted event across SIGTERM of receiver and worker', async () => {
    world = await makeWorld(process.env['TEMPORAL_TEST_ADDRESS'] as string, null);
    const metricsPort = await freePort();
    const workerEnv = world.env({ WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` });
    const firstWorker = await startApp('worker', workerEnv);
    processes.push(firstWorker);
    let receiver = await startApp('receiver', world.env());
    processes.push(receiver);

    const workerMetrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((response) => response.text());
    expect(workerMetrics).toMatch(/temporal_/);

    const calls = makeCalls(20, 'graceful-shutdown', world.recordingHost);
    const log = newSendLog();
    const refusals = newSendLog();
    const resets = newSendLog();
    let lostAnswers = 0;
    const mergeLogs = (into: SendLog, from: SendLog): SendLog => {
      lostAnswers += from.byOutcome['network_error'] ?? 0;
      const byOutcome = { ...into.byOutcome };
      for (const [outcome, n] of Object.entries(from.byOutcome)) {
        if (outcome !== 'network_error') byOutcome[outcome] = (byOutcome[outcome] ?? 0) + n;
      }
      return {
        sent: into.sent + from.sent - (from.byOutcome['network_error'] ?? 0),
        answered200: into.answered200 + from.answered200,
        byOutcome,
        failures: [
          ...into.failures,
          ...from.failures.filter((failure) => !/fetch failed|socket|ECONNRESET/i.test(failure)),
        ],
      };
    };
    const webhook = `${world.receiverUrl}/webhooks/ringg`;
    // Each call's events in order. While the receiver restarts its port refuses connections; the
    // sender retries those, as Ringg would, and they are not counted as deliveries.
    const sending = Promise.all(
      calls.map(async (call, index) => {
        await new Promise((r) => setTimeout(r, index * 40));
        for (const event of call.events) {
          const deadline = Date.now() + 120_000;
          for (;;) {
            if (Date.now() > deadline) throw new Error('the receiver did not come back');
            if (await refusedConnection(webhook)) {
              refusals.sent++;
              await new Promise((r) => setTimeout(r, 50));
              continue;
            }
            // A keep-alive socket the stopping receiver closed under a request: no answer came
            // back, so the sender retries it like Ringg would (the workflow folds a repeat).
            if ((await post(webhook, event, resets)) !== 'network_error') {
              Object.assign(log, mergeLogs(log, resets));
              resets.sent = 0;
              resets.answered200 = 0;
              resets.byOutcome = {};
              break;
            }
          }
        }
      })
    );

    await until(async () => (log.answered200 >= 30 ? true : undefined), 30_000, 'traffic to flow');
    await receiver.kill('SIGTERM');
    const receiverExit = receiver.child.exitCode;
    receiver = await startApp('receiver', world.env());
    processes.push(receiver);

    await until(async () => (world.services.crmRequests.length >= 3 ? true : undefined), 60_000, 'steps to run');
    await firstWorker.kill('SIGTERM');
    const workerExit = firstWorker.child.exitCode;
    processes.push(await startApp('worker', workerEnv));
    await sending;

    store = await openCallStore(world.env()['DATABASE_URL'] as string);
    await until(
      async () =>
        (await Promise.all(calls.map((call) => store.isFinished(call.callId)))).every(Boolean) ? true : undefined,
      120_000,
      'every call to finish'
    );
    let storedDeliveries = 0;
    for (const call of calls) {
      const view = await store.getCallView(call.callId);
      const keys = new Set(call.events.map((event) => eventKey(event as never)));
      expect(view?.events.map((event) => event.key).sort()).toEqual([...keys].sort());
      storedDeliveries += view?.events.reduce((sum, event) => sum + event.deliveries, 0) ?? 0;
    }
    const fiveXx = Object.entries(log.byOutcome).filter(([outcome]) => outcome.startsWith('5'));
    process.stdout.write(
      `\n[faults] SIGTERM under load: events answered 200 ${log.answered200} of ${log.sent}, ` +
        `connections refused while the receiver restarted ${refusals.sent} (retried), ` +
        `answers lost to a closing socket ${lostAnswers} (retried), 5xx ${fiveXx.length}, ` +
        `in workflows ${storedDeliveries}, receiver exit ${receiverExit}, worker exit ${workerExit}, ` +
        `CRM deliveries ${appliedCrmRequests(world.services.crmRequests).length} for ${calls.length} calls\n`
    );
    expect(receiverExit).toBe(0);
    expect(workerExit).toBe(0);
    expect(fiveXx).toEqual([]);
    expect(log.failures).toEqual([]);
    expect(log.answered200).toBe(log.sent);
    const taken = (log.byOutcome['accepted'] ?? 0) + (log.byOutcome['spooled'] ?? 0);
    expect(storedDeliveries).toBeGreaterThanOrEqual(taken);
    expect(storedDeliveries).toBeLessThanOrEqual(taken + lostAnswers);
    expect(appliedCrmRequests(world.services.crmRequests)).toHaveLength(calls.length);
  });
});
