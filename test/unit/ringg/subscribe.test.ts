import { spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CALL_EVENT_TYPES } from '../../../src/events/event-types';
import { mergeSubscriptions, runSubscribe } from '../../../src/ringg/subscribe-command';

const API_KEY = 'rk_live_Zq8secretApiKey0123456789';
const TOKEN = 'tok_0123456789abcdefghijklmnopqr';
const AGENT_ID = '3f1e2d4c-1111-2222-3333-444455556666';
const RECEIVER_URL = 'https://hooks.example.com/webhooks/ringg';

interface StubResponse {
  status: number;
  body?: unknown;
  /** Never answer, to exercise the client timeout. */
  hang?: boolean;
}

interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Ringg's agent API on 127.0.0.1, answering each `METHOD path` from `routes` (404 otherwise, as FastAPI does). */
class RinggStub {
  readonly requests: ReceivedRequest[] = [];
  routes: Record<string, StubResponse> = {};
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? '';
      const path = req.url ?? '';
      this.requests.push({ method, path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const route = this.routes[`${method} ${path}`] ?? { status: 404, body: { detail: 'Not Found' } };
      if (route.hang) return;
      res.writeHead(route.status, { 'Content-Type': 'application/json' });
      res.end(route.body === undefined ? '' : JSON.stringify(route.body));
    });
  });

  /** Kept after stop() so a test can aim at a port nobody listens on. */
  url = '';

  patches(): ReceivedRequest[] {
    return this.requests.filter((request) => request.method === 'PATCH');
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ca/api/v0`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const OK_PATCH: StubResponse = { status: 200, body: { message: 'Agent updated successfully!', agent_id: AGENT_ID } };

let stub: RinggStub;

beforeEach(async () => {
  stub = new RinggStub();
  await stub.start();
});

afterEach(async () => {
  await stub.stop();
});

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = { RINGG_API_KEY: API_KEY, WEBHOOK_TOKENS: TOKEN },
  timeoutMs?: number
): Promise<{ code: number; out: string; err: string; all: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSubscribe(
    [...args, '--api-url', stub.url],
    env,
    { out: (line) => out.push(line), err: (line) => err.push(line) },
    { timeoutMs }
  );
  return { code, out: out.join('\n'), err: err.join('\n'), all: [...out, ...err].join('\n') };
}

const baseArgs = ['--agent-id', AGENT_ID, '--url', RECEIVER_URL];

function ourEntry(eventTypes: string[]): Record<string, unknown> {
  return {
    event_type: eventTypes,
    callback_url: RECEIVER_URL,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    method_type: 'POST',
  };
}

describe('npm run subscribe (runSubscribe)', () => {
  it('shows the current subscriptions and sends no PATCH in a dry run', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = {
      status: 200,
      body: {
        agent_id: AGENT_ID,
        event_subscriptions: [
          {
            event_type: ['recording_completed'],
            callback_url: 'https://other.example.com/rec',
            headers: { Authorization: 'Bearer other-receiver-secret-token' },
            method_type: 'POST',
          },
        ],
      },
    };

    const result = await run(baseArgs);

    expect(result.code).toBe(0);
    expect(stub.patches()).toHaveLength(0);
    expect(stub.requests.map((request) => request.method)).toEqual(['GET']);
    expect(stub.requests[0]?.headers['x-api-key']).toBe(API_KEY);
    expect(result.out).toContain('recording_completed → POST https://other.example.com/rec');
    expect(result.out).toContain('"Authorization": "Bearer tok_…(32 chars)"');
    expect(result.out).toMatch(/Dry run: nothing was sent/);
    expect(result.out).toMatch(/Merged by event type/);
    expect(result.all).not.toContain(TOKEN);
    expect(result.all).not.toContain('other-receiver-secret-token');
    expect(result.all).not.toContain(API_KEY);
  });

  it('prints the request without calling Ringg when RINGG_API_KEY is unset', async () => {
    const result = await run(baseArgs, { WEBHOOK_TOKENS: TOKEN });

    expect(result.code).toBe(0);
    expect(stub.requests).toHaveLength(0);
    expect(result.out).toMatch(/RINGG_API_KEY is not set.*can't be shown/);
    expect(result.out).toContain(`PATCH ${stub.url}/agent/v1`);
    expect(result.out).toContain('"operation": "edit_event_subscriptions"');
  });

  it('sends exactly the documented body and X-API-KEY with --apply', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = {
      status: 200,
      body: { agent_id: AGENT_ID, event_subscriptions: [] },
    };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = OK_PATCH;

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(0);
    const [patch] = stub.patches();
    expect(patch?.headers['x-api-key']).toBe(API_KEY);
    expect(patch?.headers['content-type']).toBe('application/json');
    expect(patch?.headers['authorization']).toBeUndefined();
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      operation: 'edit_event_subscriptions',
      agent_id: AGENT_ID,
      event_subscriptions: [ourEntry(['all_processing_completed'])],
    });
    expect(result.out).toContain('Agent updated successfully!');
    expect(result.all).not.toContain(TOKEN);
    expect(result.all).not.toContain(API_KEY);
  });

  it('keeps other event types when merging with the current list', async () => {
    const other = {
      event_type: 'recording_completed',
      callback_url: 'https://archive.example.com/rec',
      headers: { Authorization: 'Bearer archive-token-xyz-123' },
    };
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = {
      status: 200,
      body: {
        event_subscriptions: [
          {
            event_type: ['call_completed', 'all_processing_completed'],
            callback_url: 'https://old.example.com/hook',
            method_type: 'POST',
          },
          other,
        ],
      },
    };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = OK_PATCH;

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(0);
    expect(JSON.parse(stub.patches()[0]?.body ?? '').event_subscriptions).toEqual([
      { event_type: ['call_completed'], callback_url: 'https://old.example.com/hook', method_type: 'POST' },
      other,
      ourEntry(['all_processing_completed']),
    ]);
    expect(result.out).toMatch(/2 other entries are kept; replaced: call_completed, all_processing_completed/);
  });

  it('falls back to GET /agent/{agent_id} when /agent/v1/{agent_id} answers 404', async () => {
    stub.routes[`GET /ca/api/v0/agent/${AGENT_ID}`] = {
      status: 200,
      body: { data: { event_subscriptions: [{ event_type: ['call_started'], callback_url: 'https://x.example/cs' }] } },
    };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = OK_PATCH;

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(0);
    expect(stub.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /ca/api/v0/agent/v1/${AGENT_ID}`,
      `GET /ca/api/v0/agent/${AGENT_ID}`,
      'PATCH /ca/api/v0/agent/v1',
    ]);
    expect(result.out).toContain('GET /agent/{agent_id}');
    expect(JSON.parse(stub.patches()[0]?.body ?? '').event_subscriptions).toEqual([
      { event_type: ['call_started'], callback_url: 'https://x.example/cs' },
      ourEntry(['all_processing_completed']),
    ]);
  });

  it('sends only its own entry and says so when the current list is unknown', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 200, body: { agent_id: AGENT_ID, name: 'Sales' } };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = OK_PATCH;

    const result = await run([...baseArgs, '--apply', '--with-progress']);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/current subscriptions unknown/);
    expect(result.out).toMatch(/Not merged/);
    expect(JSON.parse(stub.patches()[0]?.body ?? '').event_subscriptions).toEqual([
      ourEntry(['call_started', 'call_completed', 'all_processing_completed']),
    ]);
  });

  it('subscribes all six event types with --events all', async () => {
    const result = await run([...baseArgs, '--events', 'all'], { WEBHOOK_TOKENS: TOKEN });

    expect(result.code).toBe(0);
    for (const type of CALL_EVENT_TYPES) expect(result.out).toContain(`"${type}"`);
  });

  it.each([
    [400, { detail: 'event_type must be one of the supported events' }, /HTTP 400 .*event_type must be one of/],
    [401, { detail: 'Invalid API key' }, /API key missing or invalid/],
    [403, { detail: 'Forbidden' }, /API key lacks permission/],
    [404, { detail: 'Agent not found' }, /agent not found/],
    [429, { detail: 'Too many requests' }, /rate limited, try again later/],
    [500, { detail: 'Failed to edit agent' }, /Ringg failed to edit the agent/],
  ])('exits 1 with one clear line when the PATCH answers %i', async (status, body, message) => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 200, body: { event_subscriptions: [] } };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = { status, body };

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(1);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^subscribe: Ringg API error: PATCH \/agent\/v1: /);
    expect(result.err).toMatch(message);
    expect(result.all).not.toContain(API_KEY);
    expect(result.all).not.toContain(TOKEN);
  });

  it('redacts the API key even when Ringg echoes it in a 400 detail', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 200, body: { event_subscriptions: [] } };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = { status: 400, body: { detail: `bad request for key ${API_KEY}` } };

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(1);
    expect(result.err).toContain('bad request for key <redacted>');
    expect(result.all).not.toContain(API_KEY);
  });

  it('stops before editing when the key is rejected on the GET, even in a dry run', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 401, body: { detail: 'Invalid API key' } };

    const result = await run(baseArgs);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/GET \/agent\/v1\/\{agent_id\}: HTTP 401 API key missing or invalid/);
    expect(stub.patches()).toHaveLength(0);
  });

  it('does not apply when the current list cannot be read for a transient reason', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 500, body: { detail: 'boom' } };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = OK_PATCH;

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/nothing applied/);
    expect(stub.patches()).toHaveLength(0);
  });

  it('gives up after the timeout when Ringg does not answer', async () => {
    stub.routes[`GET /ca/api/v0/agent/v1/${AGENT_ID}`] = { status: 200, body: { event_subscriptions: [] } };
    stub.routes['PATCH /ca/api/v0/agent/v1'] = { status: 200, hang: true };

    const result = await run([...baseArgs, '--apply'], undefined, 200);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/PATCH \/agent\/v1: no answer within 0.2 s/);
  });

  it('exits 1 with the network reason when Ringg is unreachable', async () => {
    await stub.stop();

    const result = await run([...baseArgs, '--apply']);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/GET \/agent\/v1\/\{agent_id\}: could not reach Ringg \(.*ECONNREFUSED/);
  });

  it('allows a plain-http localhost URL with a warning', async () => {
    const result = await run(['--agent-id', AGENT_ID, '--url', 'http://localhost:3000/webhooks/ringg'], {
      WEBHOOK_TOKENS: TOKEN,
    });

    expect(result.code).toBe(0);
    expect(result.err).toMatch(/warning: .*plain http on localhost/);
  });

  it.each([
    ['missing --agent-id', ['--url', RECEIVER_URL], /--agent-id is required/],
    ['a non-UUID-ish --agent-id', ['--agent-id', '../etc', '--url', RECEIVER_URL], /--agent-id must look like a UUID/],
    ['missing --url', ['--agent-id', AGENT_ID], /--url is required/],
    ['plain http off localhost', ['--agent-id', AGENT_ID, '--url', 'http://hooks.example.com/x'], /must be https/],
    ['an unknown event type', [...baseArgs, '--events', 'call_started,call_ended'], /unknown event type "call_ended"/],
    ['a short --token', [...baseArgs, '--token', 'short'], /at least 16 characters/],
    ['an unknown option', [...baseArgs, '--force'], /Unknown option '--force'/],
    ['--apply without RINGG_API_KEY', [...baseArgs, '--apply'], /RINGG_API_KEY is not set/],
  ])('exits 2 on %s', async (_name, args, message) => {
    const result = await run(args, { WEBHOOK_TOKENS: TOKEN });

    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(stub.requests).toHaveLength(0);
  });

  it('exits 2 when no token is configured anywhere', async () => {
    const result = await run(baseArgs, { DATA_DIR: join(__dirname, 'no-such-dir') });

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no token: pass --token or set WEBHOOK_TOKENS/);
  });
});

describe('mergeSubscriptions', () => {
  it('drops an entry whose only event type is taken and keeps unrelated ones untouched', () => {
    const ours = { event_type: ['call_started'], callback_url: RECEIVER_URL };
    const unrelated = { event_type: ['client_analysis_completed'], callback_url: 'https://a.example', extra: 1 };

    const merge = mergeSubscriptions(
      [{ event_type: 'call_started', callback_url: 'https://old.example' }, unrelated],
      ours
    );

    expect(merge.merged).toEqual([unrelated, ours]);
    expect(merge.kept).toBe(1);
    expect(merge.replaced).toHaveLength(1);
  });
});

describe('scripts/subscribe.ts', () => {
  it('exits with the command code as a child process', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/subscribe.ts', '--agent-id', AGENT_ID, '--url', RECEIVER_URL, '--events', 'nope'],
      {
        cwd: join(__dirname, '..', '..', '..'),
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], WEBHOOK_TOKENS: TOKEN },
      }
    );

    expect(child.status).toBe(2);
    expect(child.stderr).toMatch(/unknown event type "nope"/);
  });
});
