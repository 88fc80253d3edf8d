import { join } from 'node:path';
import { openCallStore } from '../../src/store/open-call-store';
import type { CallStore } from '../../src/store/call-store';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { findTemporalCli } from '../../src/temporal/find-temporal-cli';
import { eventKey } from '../../workflows/call-state';
import { CALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startApp, type AppProcess } from '../helpers/app-process';
import { appliedCrmRequests } from '../helpers/local-services';
import { makeCalls, makeWorld, newSendLog, post, until, type FaultWorld } from './fault-kit';
import type { GeneratedCall } from '../../src/simulate/generate-call';

/*
 * Real processes: a Temporal dev server (its state in a file, so it can stop and come back),
 * a worker and a receiver started as `npm run start:worker|receiver` would. The sender never
 * retries, which is stricter than Ringg (4 attempts in ~3 minutes): every event must be taken
 * on its first delivery, whatever the outage length.
 */
const OUTAGE_SECONDS = Number(process.env['FAULT_OUTAGE_SECONDS'] ?? 12);

// Real processes, outages and restarts: minutes, not seconds.
jest.setTimeout(300_000);

describe('a Temporal outage and a receiver killed with SIGKILL', () => {
  let temporal: DevServer | null = null;
  let world: FaultWorld;
  let worker: AppProcess | null = null;
  let receiver: AppProcess | null = null;
  let store: CallStore;
  const cliPath = process.env['TEMPORAL_TEST_CLI_PATH'] ?? findTemporalCli()?.path ?? 'temporal';

  async function startTemporal(port: number, dbFilename: string): Promise<DevServer> {
    return startDevServer({ cliPath, port, uiPort: null, dbFilename, searchAttributes: CALL_SEARCH_ATTRIBUTES });
  }

  afterAll(async () => {
    await receiver?.kill('SIGKILL');
    await worker?.kill('SIGKILL');
    await temporal?.stop();
    await store?.close();
    await world?.close();
  });

  it('delivers every event answered 200 to its workflow, each exactly once', async () => {
    const temporalPort = await freePort();
    world = await makeWorld(`127.0.0.1:${temporalPort}`, null);
    const dbFilename = join(world.dir, 'temporal.db');
    temporal = await startTemporal(temporalPort, dbFilename);
    worker = await startApp('worker', world.env());
    receiver = await startApp('receiver', world.env());
    const webhook = `${world.receiverUrl}/webhooks/ringg`;

    const calls = makeCalls(24, 'temporal-outage', world.recordingHost);
    const log = newSendLog();
    const sendCalls = (group: GeneratedCall[]) =>
      Promise.all(
        group.map(async (call) => {
          for (const event of call.events) await post(webhook, event, log);
        })
      );

    await sendCalls(calls.slice(0, 8));
    await temporal.stop();
    const outageStarted = Date.now();
    await sendCalls(calls.slice(8, 16));
    const spooledBeforeKill = log.byOutcome['spooled'] ?? 0;
    // Killed right after its last 200: only the spool's disk holds those events now.
    await receiver.kill('SIGKILL');
    receiver = await startApp('receiver', world.env());
    await sendCalls(calls.slice(16, 24));
    const remaining = OUTAGE_SECONDS * 1000 - (Date.now() - outageStarted);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    const outageSeconds = (Date.now() - outageStarted) / 1000;
    temporal = await startTemporal(temporalPort, dbFilename);

    store = await openCallStore(world.env()['DATABASE_URL'] as string);
    await until(
      async () => {
        const finished = await Promise.all(calls.map((call) => store.isFinished(call.callId)));
        return finished.every(Boolean) ? true : undefined;
      },
      120_000,
      'every call to be finished in the store'
    );

    let eventRows = 0;
    let storedDeliveries = 0;
    let expectedRows = 0;
    for (const call of calls) {
      const view = await store.getCallView(call.callId);
      expect(view?.status).not.toBe('in_progress');
      const keys = new Set(call.events.map((event) => eventKey(event as never)));
      expectedRows += keys.size;
      eventRows += view?.events.length ?? 0;
      storedDeliveries += view?.events.reduce((sum, event) => sum + event.deliveries, 0) ?? 0;
      expect(view?.events.map((event) => event.key).sort()).toEqual([...keys].sort());
    }
    const crmOk = appliedCrmRequests(world.services.crmRequests);
    const crmPerCall = new Set(crmOk.map((request) => request.headers['idempotency-key']));

    process.stdout.write(
      `\n[faults] Temporal outage ${outageSeconds.toFixed(1)} s with a receiver SIGKILL: ` +
        `events sent ${log.sent}, answered 200 ${log.answered200} (accepted ${log.byOutcome['accepted'] ?? 0}, ` +
        `spooled ${log.byOutcome['spooled'] ?? 0}, spooled before the kill ${spooledBeforeKill}), ` +
        `in workflows ${storedDeliveries}, lost ${log.answered200 - storedDeliveries}, ` +
        `event rows ${eventRows} (expected ${expectedRows}), duplicated rows ${eventRows - expectedRows}, ` +
        `CRM deliveries ${crmOk.length} for ${calls.length} calls\n`
    );
    expect(log.failures).toEqual([]);
    expect(log.answered200).toBe(log.sent);
    expect(spooledBeforeKill).toBeGreaterThan(0);
    expect(storedDeliveries).toBe(log.answered200);
    expect(eventRows).toBe(expectedRows);
    expect(crmOk).toHaveLength(calls.length);
    expect(crmPerCall.size).toBe(calls.length);
  });
});
