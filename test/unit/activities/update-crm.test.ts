import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createActivities } from '../../../activities';
import type { StepDeps } from '../../../activities/step-deps';
import { updateCrm } from '../../../activities/update-crm';
import type { CallRecord, CompletedCall, StepResult } from '../../../workflows/call-record';
import { callRecord as buildRecord } from '../../helpers/call-record-builder';

const TOKEN = 'crm-secret-token-123';

interface ReceivedRequest {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

interface CrmStub {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A CRM on 127.0.0.1 that answers each request with `respond` once the body has arrived. */
async function startCrm(respond: (res: ServerResponse) => void): Promise<CrmStub> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/calls`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(status: number, body = ''): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  };
}

function callRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  return buildRecord({
    callStatus: 'completed',
    agentId: 'agent-1',
    agentName: 'Support bot',
    workspaceId: 'ws-1',
    direction: 'outbound',
    toNumber: '+15550001111',
    fromNumber: '+15550002222',
    durationSeconds: 42,
    cost: 1.5,
    summary: 'Customer asked for a callback.',
    classification: 'callback',
    customArgs: { order: 'A-1' },
    dialAttempts: 1,
    ...overrides,
  });
}

function completedCall(overrides: Partial<CallRecord> = {}, steps: StepResult[] = []): CompletedCall {
  return { record: callRecord(overrides), events: [], steps };
}

/** Steps must not touch the store or the recording storage: any use fails the test. */
function forbidden<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      throw new Error(`update-crm must not use ${name}.${String(property)}`);
    },
  });
}

function stepDeps(crm: Partial<StepDeps['crm']>, log = pino({ level: 'silent' })): StepDeps {
  return {
    store: forbidden('store'),
    log,
    crm: { url: null, token: null, timeoutMs: 5_000, ...crm },
    recordings: { storage: forbidden('recordings.storage'), maxBytes: 1024, timeoutMs: 5_000 },
    ringg: { apiKey: null, apiUrl: 'http://127.0.0.1:9' },
  };
}

const quiet = (): void => undefined;
const silentSdkLogger: Logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

function activityEnvironment(attempt = 1): MockActivityEnvironment {
  return new MockActivityEnvironment({ attempt }, { logger: silentSdkLogger });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the step to fail');
}

describe('updateCrm', () => {
  let crm: CrmStub | undefined;

  afterEach(async () => {
    await crm?.close();
    crm = undefined;
  });

  it('is skipped when CRM_URL is not set', async () => {
    await expect(updateCrm.run(completedCall(), stepDeps({ url: null }))).resolves.toEqual({
      status: 'skipped',
      detail: { reason: 'CRM_URL not set' },
    });
  });

  it('posts the call as JSON with idempotency and bearer headers, and is done on 2xx', async () => {
    crm = await startCrm(answer(201));
    const steps: StepResult[] = [
      { name: 'storeCall', status: 'done', attempts: 1, lastError: null, detail: { database: 'sqlite' } },
    ];
    const call = completedCall({ callId: 'call-42' }, steps);

    const outcome = await updateCrm.run(call, stepDeps({ url: crm.url, token: TOKEN }));

    expect(outcome).toEqual({ status: 'done', detail: { httpStatus: 201 } });
    expect(crm.requests).toHaveLength(1);
    const [request] = crm.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('call-42');
    expect(request?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request?.body ?? 'null')).toEqual({ ...call.record, steps });
  });

  it('sends no Authorization header when CRM_TOKEN is not set', async () => {
    crm = await startCrm(answer(200));
    await expect(updateCrm.run(completedCall(), stepDeps({ url: crm.url }))).resolves.toMatchObject({
      status: 'done',
    });
    expect(crm.requests[0]?.headers['authorization']).toBeUndefined();
  });

  it.each([500, 503, 408, 429])('throws a retryable error on HTTP %i', async (status) => {
    crm = await startCrm(answer(status, 'try later'));
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: crm.url })));
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it.each([400, 401, 404, 422])('fails permanently on HTTP %i', async (status) => {
    crm = await startCrm(answer(status, 'bad call payload'));
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: crm.url })));
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain('bad call payload');
  });

  it('fails permanently on a redirect instead of re-sending the call as a GET', async () => {
    crm = await startCrm((res) => {
      res.writeHead(302, { Location: '/elsewhere' });
      res.end();
    });
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: crm.url })));
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect(crm.requests).toHaveLength(1);
  });

  it('throws a retryable error when the CRM does not answer within the timeout', async () => {
    crm = await startCrm(() => undefined);
    const started = Date.now();
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: crm.url, timeoutMs: 200 })));
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('throws a retryable error when the CRM cannot be reached', async () => {
    const closed = await startCrm(answer(200));
    await closed.close();
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: closed.url })));
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(error.message).toMatch(/CRM request failed/);
  });

  it('never writes the token to logs or errors', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    crm = await startCrm(answer(200));
    await updateCrm.run(completedCall(), stepDeps({ url: crm.url, token: TOKEN }, log));
    await crm.close();
    crm = await startCrm(answer(400, 'nope'));
    const error = await failureOf(updateCrm.run(completedCall(), stepDeps({ url: crm.url, token: TOKEN }, log)));

    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain(TOKEN);
  });

  describe('as a worker activity', () => {
    it('keeps a 4xx failure non-retryable and reports the attempt', async () => {
      crm = await startCrm(answer(400));
      const activities = createActivities(stepDeps({ url: crm.url }), [updateCrm]);
      const env = activityEnvironment(3);
      const error = await failureOf(env.run(activities['updateCrm'] as never, completedCall()));
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect((error as ApplicationFailure).nonRetryable).toBe(true);
      expect((error as ApplicationFailure).details).toEqual([{ attempt: 3 }]);
    });

    it('keeps a 5xx failure retryable', async () => {
      crm = await startCrm(answer(503));
      const activities = createActivities(stepDeps({ url: crm.url }), [updateCrm]);
      const error = await failureOf(activityEnvironment().run(activities['updateCrm'] as never, completedCall()));
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect((error as ApplicationFailure).nonRetryable).toBe(false);
    });

    it('returns the outcome with its attempt number on success', async () => {
      crm = await startCrm(answer(204));
      const activities = createActivities(stepDeps({ url: crm.url }), [updateCrm]);
      const result = await activityEnvironment(2).run(activities['updateCrm'] as never, completedCall());
      expect(result).toEqual({ status: 'done', detail: { httpStatus: 204 }, attempt: 2 });
    });
  });
});
