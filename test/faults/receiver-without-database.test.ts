import { randomUUID } from 'node:crypto';
import { startApp, type AppProcess } from '../helpers/app-process';
import { makeWorld, TOKEN, type FaultWorld } from './fault-kit';

/* A receiver restarted while its database is down must still take events: refusing them would lose them. */
describe('a receiver whose database is down at start', () => {
  let world: FaultWorld;
  let receiver: AppProcess | null = null;

  afterAll(async () => {
    await receiver?.kill('SIGKILL');
    await world?.close();
  });

  it('starts, accepts events and reports the store as not ready', async () => {
    // Nothing listens on port 1: the same answer a stopped PostgreSQL gives.
    world = await makeWorld(process.env['TEMPORAL_TEST_ADDRESS'] as string, 'postgres://ringg@127.0.0.1:1/ringg');
    receiver = await startApp('receiver', world.env());
    const callId = randomUUID();
    const response = await fetch(`${world.receiverUrl}/webhooks/ringg`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ call_id: callId, event_type: 'call_started', status: 'registered' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'accepted', call_id: callId });

    const ready = await fetch(`${world.receiverUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({
      temporal: 'ok',
      store: expect.stringMatching(/not available/),
    });
    expect((await fetch(`${world.receiverUrl}/healthz`)).status).toBe(200);
  });
});
