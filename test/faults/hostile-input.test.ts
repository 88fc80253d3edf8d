import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger } from '../../src/observability/logger';
import { createReceiverMetrics } from '../../src/observability/metrics';
import { createReceiverApp } from '../../src/receiver/app';
import { directIntake } from '../../src/receiver/event-intake';
import { listen, type ListeningReceiver } from '../../src/receiver/server';
import { createCallSignaller } from '../../src/receiver/signal-call-event';
import { createHarness, eventually, OTHER_TOKEN, TOKEN, type Harness } from '../helpers/pipeline-harness';
import { CATEGORY_COUNTS, generateHostileCorpus, type HostileRequest } from './hostile-corpus';

const WEBHOOK_PATH = '/webhooks/ringg';
const MAX_BODY_BYTES = 1024 * 1024; // the harness's limit
const CONCURRENCY = 32;
const REQUEST_TIMEOUT_MS = 20_000;

interface Answer {
  status: number | null;
  error?: string;
  ms: number;
}

function port(receiver: ListeningReceiver): number {
  const address = receiver.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('receiver is not listening');
  return address.port;
}

/** One request on its own connection through node:http, so bodies and Content-Length are ours to choose. */
function sendHttp(to: number, request: HostileRequest): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const headers: Record<string, string> = { connection: 'close', ...request.headers };
    if (request.declaredLength !== undefined) headers['content-length'] = String(request.declaredLength);
    else if (!request.chunked && headers['content-length'] === undefined) {
      headers['content-length'] = String(request.body.length);
    }
    const outgoing = http.request({
      host: '127.0.0.1',
      port: to,
      method: request.method,
      path: request.path,
      headers,
      agent: false,
    });
    const finish = (answer: Omit<Answer, 'ms'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: Date.now() - started });
    };
    const timer = setTimeout(() => {
      finish({ status: null, error: 'timeout' });
      outgoing.destroy();
    }, REQUEST_TIMEOUT_MS);
    outgoing.on('response', (response) => {
      finish({ status: response.statusCode ?? null });
      response.resume();
      // The rest of an oversize body is never going to be read: stop sending it.
      if (request.declaredLength !== undefined || request.chunked) outgoing.destroy();
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: null, error: error.code ?? error.message })
    );
    if (request.chunked) {
      for (let at = 0; at < request.body.length; at += 64 * 1024)
        outgoing.write(request.body.subarray(at, at + 64 * 1024));
      outgoing.end();
    } else if (request.declaredLength !== undefined) {
      outgoing.write(request.body);
    } else {
      outgoing.end(request.body);
    }
  });
}

/** Bytes as they are on a socket; the answer is the status line's code. */
function sendRaw(to: number, bytes: Buffer, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    let received = '';
    const socket = net.connect(to, '127.0.0.1');
    const finish = (answer: Omit<Answer, 'ms'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...answer, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish({ status: null, error: 'timeout' }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (match) finish({ status: Number(match[1]) });
      else if (received.includes('\r\n')) finish({ status: null, error: `bad status line ${received.slice(0, 40)}` });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: error.code ?? error.message }));
    socket.on('close', () => finish({ status: null, error: 'closed without an answer' }));
    socket.write(bytes);
  });
}

function send(to: number, request: HostileRequest): Promise<Answer> {
  return request.transport === 'raw' && request.raw ? sendRaw(to, request.raw) : sendHttp(to, request);
}

interface Tally {
  sent: number;
  byStatus: Record<string, number>;
  byClass: { '2xx': number; '3xx': number; '4xx': number; '5xx': number; none: number };
  unexpected: string[];
}

async function sendAll(to: number, requests: HostileRequest[], tally: Tally): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++] as HostileRequest;
      const answer = await send(to, request);
      tally.sent++;
      const key = answer.status === null ? `error:${answer.error}` : String(answer.status);
      tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
      if (answer.status === null) tally.byClass.none++;
      else tally.byClass[`${Math.floor(answer.status / 100)}xx` as '2xx' | '3xx' | '4xx' | '5xx']++;
      if (answer.status === null || !request.expect.includes(answer.status)) {
        if (tally.unexpected.length < 50) {
          tally.unexpected.push(
            `#${request.id} ${request.category} ${request.method} → ${key} (want ${request.expect.join('/')})`
          );
        } else tally.unexpected.length++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

function newTally(): Tally {
  return { sent: 0, byStatus: {}, byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, none: 0 }, unexpected: [] };
}

/** A real GC when V8 lets us have one (no --expose-gc needed), else just the heap as it is. */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    gc?.();
    gc?.();
  } catch {
    // No forced GC available: the bound below is generous enough for an uncollected heap.
  }
}

function heapMb(): number {
  collectGarbage();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

async function workflowIdsOn(harness: Harness, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of harness.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    ids.push(execution.workflowId);
  }
  return ids.sort();
}

function report(line: string): void {
  process.stdout.write(`[hostile-input] ${line}\n`);
}

function isPolluted(): boolean {
  return (
    ({} as Record<string, unknown>)['polluted'] !== undefined ||
    Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')
  );
}

describe('hostile input against the running receiver', () => {
  let harness: Harness;
  let receiver: ListeningReceiver;
  beforeAll(async () => {
    harness = await createHarness({ withoutWorker: true });
    receiver = await listen(harness.app, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  it('answers a seeded corpus of 10 000+ bad requests with 4xx only, creates no workflow and keeps memory stable', async () => {
    const corpus = generateHostileCorpus({
      seed: 'hostile-corpus-v1',
      token: TOKEN,
      otherToken: OTHER_TOKEN,
      webhookPath: WEBHOOK_PATH,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set(corpus.map((r) => r.category))).toEqual(new Set(Object.keys(CATEGORY_COUNTS)));
    const to = port(receiver);
    const started = Date.now();

    const warmup = newTally();
    await sendAll(to, corpus.slice(0, 1000), warmup);
    const heapAfterWarmup = heapMb();

    const tally = newTally();
    await sendAll(to, corpus, tally);
    const heapAfterCorpus = heapMb();

    const seconds = (Date.now() - started) / 1000;
    report(
      `sent ${tally.sent} bad requests (+${warmup.sent} warm-up) in ${seconds.toFixed(1)} s: ` +
        `4xx ${tally.byClass['4xx']}, 5xx ${tally.byClass['5xx']}, 2xx ${tally.byClass['2xx']}, no answer ${tally.byClass.none}`
    );
    report(`by status ${JSON.stringify(tally.byStatus)}`);
    report(`heapUsed after warm-up ${heapAfterWarmup} MB, after corpus ${heapAfterCorpus} MB`);
    if (tally.unexpected.length > 0) report(`unexpected: ${tally.unexpected.slice(0, 50).join('\n  ')}`);

    expect(tally.unexpected).toEqual([]);
    expect(tally.byClass['4xx']).toBe(corpus.length);
    expect(tally.byClass['5xx']).toBe(0);
    expect(tally.byClass['2xx'] + warmup.byClass['2xx']).toBe(0);
    expect(heapAfterCorpus - heapAfterWarmup).toBeLessThan(50);

    // Still serving, nothing reached Temporal, nothing counted as an event, no pollution.
    const health = await sendHttp(to, {
      id: -1,
      category: 'health',
      transport: 'http',
      method: 'GET',
      path: '/healthz',
      headers: {},
      body: Buffer.alloc(0),
      expect: [200],
    });
    expect(health.status).toBe(200);
    expect(await workflowIdsOn(harness, harness.taskQueue)).toEqual([]);
    expect((await harness.metrics.events.get()).values.filter((v) => v.value > 0)).toEqual([]);
    expect(isPolluted()).toBe(false);
  });

  it('sheds slow clients with 408 or a closed socket within bounded time, and keeps serving others', async () => {
    const slow = await listen(harness.app, 0, '127.0.0.1', { headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const to = port(slow);
    type Slow = { kind: string; status: number | null; ms: number; error?: string };

    /** Writes `pieces` one by one, `everyMs` apart, and reports how the server ended it. */
    const trickle = (kind: string, pieces: string[], everyMs: number, abortAfterMs?: number): Promise<Slow> =>
      new Promise((resolve) => {
        const started = Date.now();
        const timers: NodeJS.Timeout[] = [];
        let received = '';
        let done = false;
        const socket = net.connect(to, '127.0.0.1');
        const finish = (status: number | null, error?: string): void => {
          if (done) return;
          done = true;
          for (const timer of timers) clearTimeout(timer);
          socket.destroy();
          resolve({ kind, status, ms: Date.now() - started, ...(error ? { error } : {}) });
        };
        pieces.forEach((piece, index) => {
          const timer = setTimeout(() => {
            if (!socket.destroyed) socket.write(piece);
          }, index * everyMs);
          timers.push(timer);
        });
        if (abortAfterMs !== undefined) {
          const timer = setTimeout(() => finish(null, 'aborted by the client'), abortAfterMs);
          timers.push(timer);
        }
        const bound = setTimeout(() => finish(null, 'still open'), 8000);
        timers.push(bound);
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
          if (match) finish(Number(match[1]));
        });
        socket.on('error', (error: NodeJS.ErrnoException) => finish(null, error.code));
        socket.on('close', () => finish(null, 'closed'));
      });

    const body = JSON.stringify({ call_id: randomUUID(), event_type: 'call_started' });
    const head = `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n`;
    const slowHeaders = (head + 'X-Slow: 1\r\n').split('').slice(0, 60);
    const slowBody = (n: number): string[] => [
      `${head}Content-Length: ${body.length}\r\n\r\n`,
      ...body.slice(0, n).split(''),
    ];
    const clients: Array<Promise<Slow>> = [];
    for (let i = 0; i < 4; i++) {
      clients.push(trickle('headers one byte at a time', slowHeaders, 150));
      clients.push(trickle('idle after connecting', [], 0));
      // Headers done, body announced but stalled, or dripping slower than requestTimeout allows.
      clients.push(trickle('stalled body', slowBody(5), 10));
      clients.push(trickle('body one byte at a time', slowBody(body.length - 1), 200));
      clients.push(trickle('aborts mid-body', slowBody(10), 20, 500));
    }

    // Meanwhile the same listener answers everyone else promptly.
    const others: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      others.push(
        await sendRaw(to, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 2000)
      );
    }
    const results = await Promise.all(clients);
    await slow.close();

    report(`slow clients: ${JSON.stringify(results.map((r) => `${r.kind}: ${r.status ?? r.error} in ${r.ms} ms`))}`);
    expect(others.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(Math.max(...others.map((a) => a.ms))).toBeLessThan(1000);
    // Shed by the server with 408 well within the bound; the aborting clients hang up themselves.
    const aborted = results.filter((r) => r.kind === 'aborts mid-body');
    const shed = results.filter((r) => r.kind !== 'aborts mid-body');
    expect(aborted.map((r) => r.error)).toEqual(Array(aborted.length).fill('aborted by the client'));
    expect(shed.map((r) => r.status)).toEqual(Array(shed.length).fill(408));
    expect(Math.max(...shed.map((r) => r.ms))).toBeLessThan(4000);
    expect(await workflowIdsOn(harness, harness.taskQueue)).toEqual([]);
  });

  it('accepts hostile but valid envelopes as they are: no prototype pollution, exactly the expected workflows', async () => {
    const to = port(receiver);
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const bodies = [
      `{"call_id":"${ids[0]}","event_type":"call_started","__proto__":{"polluted":1}}`,
      `{"call_id":"${ids[1]}","event_type":"call_started","constructor":{"prototype":{"polluted":1}}}`,
      `{"call_id":"${ids[2]}","event_type":"__proto__","toString":"x","hasOwnProperty":1}`,
      `{"call_id":"${ids[3]}","event_type":"constructor","valueOf":{"__proto__":{"polluted":1}}}`,
      JSON.stringify({ call_id: ids[4], event_type: 'call_completed', transcript: 'T'.repeat(MAX_BODY_BYTES - 200) }),
      JSON.stringify({
        call_id: ids[5],
        event_type: 'call_started',
        nested: JSON.parse('['.repeat(60) + ']'.repeat(60)),
      }),
    ];
    const answers: Answer[] = [];
    for (const body of bodies) {
      answers.push(
        await sendHttp(to, {
          id: -1,
          category: 'hostile-valid',
          transport: 'http',
          method: 'POST',
          path: WEBHOOK_PATH,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: Buffer.from(body),
          expect: [200],
        })
      );
    }
    expect(answers.map((a) => a.status)).toEqual(Array(bodies.length).fill(200));
    expect(isPolluted()).toBe(false);
    const expected = [...ids].sort();
    const seen = await eventually(
      async () => {
        const found = await workflowIdsOn(harness, harness.taskQueue);
        return found.length >= expected.length ? found : undefined;
      },
      15_000,
      'the hostile-but-valid workflows'
    );
    expect(seen).toEqual(expected);
  });
});

describe('receiver logs under hostile input', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ withoutWorker: true });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('never contain a token or a full payload, and hold one line per accepted event', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const log = createLogger('debug', sink);
    const taskQueue = `faults-log-${randomUUID()}`;
    const app = createReceiverApp({
      client: harness.client,
      intake: directIntake(
        createCallSignaller({ client: harness.client, taskQueue, idleTimeoutMs: 60_000, timeoutMs: 5000 })
      ),
      spool: null,
      store: null,
      tokens: [TOKEN, OTHER_TOKEN],
      webhookPath: WEBHOOK_PATH,
      maxBodyBytes: 64 * 1024,
      metrics: createReceiverMetrics(),
      log,
      temporalTimeoutMs: 5000,
    });
    const receiver = await listen(app, 0, '127.0.0.1');
    const to = port(receiver);
    const marker = `PAYLOAD-MARKER-${randomUUID()}`;
    const wrongTokens = [`wrong-bearer-${randomUUID()}`, `wrong-secret-${randomUUID()}`, `${TOKEN}x`];
    const transcript = Array.from({ length: 40 }, (_, i) => ({
      role: i % 2 ? 'user' : 'agent',
      text: `${marker} ${i}`,
    }));
    const post = (headers: Record<string, string>, body: string | Buffer): Promise<Answer> =>
      sendHttp(to, {
        id: -1,
        category: 'log',
        transport: 'http',
        method: 'POST',
        path: WEBHOOK_PATH,
        headers: { 'content-type': 'application/json', ...headers },
        body: Buffer.isBuffer(body) ? body : Buffer.from(body),
        expect: [],
      });
    const event = (callId: string, eventType: string): string =>
      JSON.stringify({ call_id: callId, event_type: eventType, transcript, summary: marker, api_key: wrongTokens[0] });

    const accepted: Array<[string, string]> = [
      [randomUUID(), 'call_started'],
      [randomUUID(), 'call_completed'],
      [randomUUID(), 'call_started'],
      [randomUUID(), 'transcript_ready'],
    ];
    const statuses: number[] = [];
    const auth: Array<Record<string, string>> = [
      { authorization: `Bearer ${TOKEN}` },
      { authorization: `Bearer ${OTHER_TOKEN}` },
      { 'x-webhook-secret': TOKEN },
      { 'x-webhook-secret': OTHER_TOKEN },
    ];
    for (const [index, [callId, eventType]] of accepted.entries()) {
      statuses.push((await post(auth[index] ?? {}, event(callId, eventType))).status ?? 0);
    }
    const rejected = [
      await post({ authorization: `Bearer ${wrongTokens[0]}` }, event(randomUUID(), 'call_started')),
      await post({ 'x-webhook-secret': wrongTokens[1] as string }, event(randomUUID(), 'call_started')),
      await post({ authorization: `Bearer ${wrongTokens[2]}`, 'x-webhook-secret': wrongTokens[1] as string }, '{}'),
      await post({}, event(randomUUID(), 'call_started')),
      await post({ authorization: `Bearer ${TOKEN}` }, JSON.stringify({ event_type: 'call_started', summary: marker })),
      await post({ authorization: `Bearer ${TOKEN}` }, JSON.stringify({ call_id: marker.repeat(10), event_type: 'x' })),
      await post({ authorization: `Bearer ${TOKEN}` }, `{"call_id":"${marker}", "event_type": `),
      await post(
        { authorization: `Bearer ${TOKEN}` },
        Buffer.concat([Buffer.from(`{"m":"${marker}`), Buffer.from([0xff, 0x22, 0x7d])])
      ),
      await post(
        { authorization: `Bearer ${TOKEN}` },
        JSON.stringify({ summary: marker, padding: 'p'.repeat(70_000) })
      ),
      await post(
        { authorization: `Bearer ${TOKEN}` },
        `{"call_id":"${randomUUID()}","event_type":"call_started","m":"${marker}","x":${'['.repeat(500)}${']'.repeat(500)}}`
      ),
    ];
    await receiver.close();

    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(rejected.map((a) => a.status)).toEqual([401, 401, 401, 401, 422, 422, 400, 400, 413, 400]);
    const text = lines.join('');
    report(`captured ${lines.length} log lines (${text.length} chars) at level debug`);
    for (const secret of [TOKEN, OTHER_TOKEN, ...wrongTokens]) expect(text).not.toContain(secret);
    expect(text).not.toContain(marker);

    const records = lines.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line));
    const eventLines = records.filter((record) => record.msg === 'webhook event');
    expect(eventLines).toHaveLength(accepted.length);
    for (const [callId, eventType] of accepted) {
      const line = eventLines.find((record) => record.call_id === callId);
      expect(line).toEqual(
        expect.objectContaining({ call_id: callId, event_type: eventType, outcome: 'accepted', level: 30 })
      );
      expect(typeof line.latency_ms).toBe('number');
      expect(typeof line.received_at).toBe('string');
    }
  });
});
