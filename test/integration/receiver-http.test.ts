import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { createReceiverMetrics } from '../../src/observability/metrics';
import { createReceiverApp } from '../../src/receiver/app';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventIntake, directIntake } from '../../src/receiver/event-intake';
import { FileSpool } from '../../src/spool/file-spool';
import { SpoolForwarder } from '../../src/spool/spool-forwarder';
import { createCallSignaller } from '../../src/receiver/signal-call-event';
import { createHarness, eventually, OTHER_TOKEN, TOKEN, type Harness } from '../helpers/pipeline-harness';

function callStarted(callId: string): Record<string, unknown> {
  return {
    event_type: 'call_started',
    call_id: callId,
    status: 'registered',
    sub_status: 'QUEUED',
    agent_id: randomUUID(),
  };
}

describe('receiver HTTP API', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers 401 without a token, with a wrong token, and never starts a workflow', async () => {
    const callId = randomUUID();
    const missing = await harness.http.post('/webhooks/ringg').send(callStarted(callId));
    const wrongBearer = await harness.post(callStarted(callId), 'not-the-right-token-at-all');
    const wrongSecret = await harness.http
      .post('/webhooks/ringg')
      .set('X-Webhook-Secret', 'not-the-right-token-at-all')
      .send(callStarted(callId));
    for (const response of [missing, wrongBearer, wrongSecret]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: 'missing or invalid token' });
    }
    await expect(harness.client.workflow.getHandle(callId).describe()).rejects.toThrow();
  });

  it('accepts the X-Webhook-Secret header and every rotated token', async () => {
    const viaSecret = await harness.http
      .post('/webhooks/ringg')
      .set('X-Webhook-Secret', TOKEN)
      .send(callStarted(randomUUID()));
    const viaRotated = await harness.post(callStarted(randomUUID()), OTHER_TOKEN);
    expect(viaSecret.status).toBe(200);
    expect(viaSecret.body.status).toBe('accepted');
    expect(viaRotated.status).toBe(200);
  });

  it('answers 400 for bodies that are not one JSON object, whatever the content type', async () => {
    const cases: Array<[string, string]> = [
      ['{"call_id": "x", ', 'body is not valid JSON'],
      ['[1, 2, 3]', 'body must be a JSON object'],
      ['"a string"', 'body must be a JSON object'],
      ['null', 'body must be a JSON object'],
      ['', 'body is not valid JSON'],
    ];
    for (const [body, error] of cases) {
      const response = await harness.http
        .post('/webhooks/ringg')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Content-Type', 'text/plain')
        .send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error });
    }
    const invalidUtf8 = await harness.http
      .post('/webhooks/ringg')
      .set('Authorization', `Bearer ${TOKEN}`)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(invalidUtf8.status).toBe(400);
    expect(invalidUtf8.body).toEqual({ error: 'body is not valid UTF-8' });
  });

  it('accepts a JSON body sent without any content type', async () => {
    const callId = randomUUID();
    const response = await harness.http
      .put('/webhooks/ringg')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send(Buffer.from(JSON.stringify(callStarted(callId))));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'accepted',
      call_id: callId,
      event_type: 'call_started',
      workflow_id: callId,
    });
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await harness.post({ ...callStarted(randomUUID()), padding: 'x'.repeat(1024 * 1024 + 10) });
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('request body too large');
  });

  it('answers 422 with the zod issues when call_id or event_type is missing or invalid', async () => {
    const missing = await harness.post({ event_type: 'call_started' });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toBe('call_id and event_type are required');
    expect(missing.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['call_id'] })]));

    const tooLong = await harness.post({ event_type: 'call_started', call_id: 'x'.repeat(256) });
    expect(tooLong.status).toBe(422);
    const control = await harness.post({ event_type: 'call_started', call_id: 'abc\u0007def' });
    expect(control.status).toBe(422);
    const noType = await harness.post({ call_id: randomUUID(), event_type: '' });
    expect(noType.status).toBe(422);
    expect(noType.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['event_type'] })]));
  });

  it('accepts POST, PUT and PATCH, and answers 405 with JSON for other methods', async () => {
    for (const method of ['post', 'put', 'patch'] as const) {
      const response = await harness.http[method]('/webhooks/ringg')
        .set('Authorization', `Bearer ${TOKEN}`)
        .send(callStarted(randomUUID()));
      expect(response.status).toBe(200);
    }
    const get = await harness.http.get('/webhooks/ringg').set('Authorization', `Bearer ${TOKEN}`);
    expect(get.status).toBe(405);
    expect(get.body.error).toBe('method not allowed');
    const del = await harness.http.delete('/webhooks/ringg');
    expect(del.status).toBe(405);
  });

  it('answers 404 with JSON for unknown paths and unknown calls', async () => {
    const path = await harness.http.get('/nope');
    expect(path.status).toBe(404);
    expect(path.body).toEqual({ error: 'not found' });
    const call = await harness.getCall(randomUUID());
    expect(call.status).toBe(404);
    expect(call.body.error).toBe('unknown call');
  });

  it('accepts drifted payloads and unknown event types, recording the issues on the call', async () => {
    const callId = randomUUID();
    const drifted = await harness.post({ ...callStarted(callId), call_cost: 'free' });
    const unknown = await harness.post({ call_id: callId, event_type: 'call_transferred', to: 'someone' });
    expect(drifted.status).toBe(200);
    expect(unknown.status).toBe(200);
    const view = await eventually(async () => {
      const response = await harness.getCall(callId);
      return response.status === 200 && response.body.events.length === 2 ? response.body : undefined;
    });
    const issues = Object.fromEntries(
      view.events.map((event: { eventType: string; schemaIssues: Array<{ code: string; path: string[] }> }) => [
        event.eventType,
        event.schemaIssues,
      ])
    );
    expect(issues['call_started']).toEqual([expect.objectContaining({ path: ['call_cost'] })]);
    expect(issues['call_transferred']).toEqual([expect.objectContaining({ code: 'unknown_event_type' })]);
    const metrics = await harness.http.get('/metrics');
    expect(metrics.text).toMatch(/ringg_webhook_schema_issues_total\{event_type="call_transferred"\} 1/);
  });

  it('answers /healthz and /readyz while Temporal and the store answer', async () => {
    expect((await harness.http.get('/healthz')).status).toBe(200);
    const ready = await harness.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ temporal: 'ok', store: 'ok' });
  });
});

describe('receiver with Temporal unreachable', () => {
  it('answers 503 (JSON, no stack) without a spool, and /readyz reports unavailable', async () => {
    // Nothing listens on port 1: the same answer a stopped Temporal server gives.
    // No retry interceptor: its timers would outlive the test's closed connection.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
    const app = createReceiverApp({
      client,
      intake: directIntake(
        createCallSignaller({ client, taskQueue: 'unused', idleTimeoutMs: 60_000, timeoutMs: 1500 })
      ),
      spool: null,
      store: null,
      tokens: [TOKEN],
      webhookPath: '/webhooks/ringg',
      maxBodyBytes: 1024,
      metrics: createReceiverMetrics(),
      log: pino({ level: 'silent' }),
      temporalTimeoutMs: 1500,
    });
    const http = request(app.callback());
    const response = await http
      .post('/webhooks/ringg')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send(callStarted(randomUUID()));
    expect(response.status).toBe(503);
    expect(response.body.error).toMatch(/Temporal is unavailable/);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.temporal).not.toBe('ok');
    await client.connection.close();
  });
});

describe('receiver with Temporal unreachable and an outage spool', () => {
  it('answers 200 spooled, shows the spool in /readyz and /metrics, and 503 once the spool is full', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-http-'));
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
    const log = pino({ level: 'silent' });
    const signaller = createCallSignaller({ client, taskQueue: 'unused', idleTimeoutMs: 60_000, timeoutMs: 1000 });
    const spool = FileSpool.open(dir, 2048);
    const forwarder = new SpoolForwarder({ spool, signaller, log, minBackoffMs: 60_000 });
    forwarder.start();
    const app = createReceiverApp({
      client,
      intake: createEventIntake(signaller, spool, forwarder, log),
      spool,
      store: null,
      tokens: [TOKEN],
      webhookPath: '/webhooks/ringg',
      maxBodyBytes: 4096,
      metrics: createReceiverMetrics(),
      log,
      temporalTimeoutMs: 1000,
    });
    const http = request(app.callback());
    try {
      const callId = randomUUID();
      const spooled = await http
        .post('/webhooks/ringg')
        .set('Authorization', `Bearer ${TOKEN}`)
        .send(callStarted(callId));
      expect(spooled.status).toBe(200);
      expect(spooled.body).toEqual({
        status: 'spooled',
        call_id: callId,
        event_type: 'call_started',
        workflow_id: callId,
      });
      expect(spool.depth).toBe(1);
      expect(spool.read(spool.peek()!).payload.call_id).toBe(callId);

      const ready = await http.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.spool).toMatchObject({ depth: 1 });
      const metrics = await http.get('/metrics');
      expect(metrics.text).toMatch(/^ringg_spool_depth 1$/m);
      expect(metrics.text).toMatch(/ringg_webhook_events_total\{event_type="call_started",outcome="spooled"\} 1/);

      let full = spooled;
      for (let i = 0; i < 20 && full.status === 200; i++) {
        full = await http
          .post('/webhooks/ringg')
          .set('Authorization', `Bearer ${TOKEN}`)
          .send({ ...callStarted(randomUUID()), note: 'x'.repeat(1000) });
      }
      expect(full.status).toBe(503);
      expect(full.body.error).toMatch(/could not be spooled/);
    } finally {
      await forwarder.stop();
      spool.close();
      await client.connection.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
