import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { archiveRecording, recordingKey } from '../../../activities/archive-recording';
import { LocalRecordingStorage } from '../../../activities/local-recording-storage';
import type { StepDeps } from '../../../activities/step-deps';
import type { CallRecord, CompletedCall } from '../../../workflows/call-record';
import { callRecord as buildRecord } from '../../helpers/call-record-builder';

const MAX_BYTES = 64 * 1024;

interface RecordingHost {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** A recording host on 127.0.0.1 serving `/rec.mp3` through `respond`; counts requests. */
async function startRecordingHost(respond: (res: ServerResponse) => void): Promise<RecordingHost> {
  const host: RecordingHost = { url: '', requests: 0, close: async () => undefined };
  const server = createServer((_req, res) => {
    host.requests += 1;
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  host.url = `http://127.0.0.1:${port}/rec.mp3?signature=abc`;
  host.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return host;
}

function serve(body: Buffer, headers: Record<string, string | number> = {}): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': body.length, ...headers });
    res.end(body);
  };
}

function answer(status: number, contentType = 'text/plain'): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(`status ${status}`);
  };
}

function callRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  return buildRecord({
    callId: 'call-7f3a',
    status: 'completed',
    callStatus: 'completed',
    agentId: 'agent-1',
    workspaceId: 'ws-1',
    direction: 'outbound',
    durationSeconds: 42,
    dialAttempts: 1,
    ...overrides,
  });
}

function completedCall(overrides: Partial<CallRecord> = {}): CompletedCall {
  return { record: callRecord(overrides), events: [], steps: [] };
}

/** Steps must not touch the store: any use fails the test. */
function forbidden<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      throw new Error(`archive-recording must not use ${name}.${String(property)}`);
    },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the step to fail');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('archiveRecording', () => {
  let root: string;
  let dir: string;
  let host: RecordingHost | undefined;

  function stepDeps(overrides: Partial<StepDeps['recordings']> = {}): StepDeps {
    return {
      store: forbidden('store'),
      log: pino({ level: 'silent' }),
      crm: { url: null, token: null, timeoutMs: 1_000 },
      recordings: { storage: new LocalRecordingStorage(dir), maxBytes: MAX_BYTES, timeoutMs: 5_000, ...overrides },
      ringg: { apiKey: null, apiUrl: 'http://127.0.0.1:9' },
    };
  }

  /** Everything in the recordings folder, temp files included; none when it was never created. */
  async function filesInStorage(): Promise<string[]> {
    return readdir(dir).catch(() => []);
  }

  async function expectPermanent(promise: Promise<unknown>, type: string): Promise<ApplicationFailure> {
    const error = await failureOf(promise);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).type).toBe(type);
    return error as ApplicationFailure;
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'archive-recording-'));
    dir = join(root, 'recordings');
  });

  afterEach(async () => {
    await host?.close();
    host = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('is skipped when the call has no recording URL', async () => {
    await expect(archiveRecording.run(completedCall({ recordingUrl: null }), stepDeps())).resolves.toEqual({
      status: 'skipped',
      detail: { reason: 'no recording URL on the call' },
    });
    expect(await filesInStorage()).toEqual([]);
  });

  it('downloads the recording into storage with its size and checksum', async () => {
    const audio = randomBytes(40_000);
    host = await startRecordingHost(serve(audio));

    const outcome = await archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps());

    const location = join(dir, `${recordingKey('call-7f3a')}.mp3`);
    expect(outcome).toEqual({
      status: 'done',
      detail: { location, bytes: audio.length, sha256: sha256(audio), contentType: 'audio/mpeg', sourceUrl: host.url },
    });
    expect((await readFile(location)).equals(audio)).toBe(true);
    // Only the audio and its sidecar: no temp files left over.
    expect((await filesInStorage()).sort()).toEqual([
      `${recordingKey('call-7f3a')}.json`,
      `${recordingKey('call-7f3a')}.mp3`,
    ]);
  });

  it('does not download again once the recording is archived', async () => {
    host = await startRecordingHost(serve(randomBytes(1_000)));
    const call = completedCall({ recordingUrl: host.url });

    const first = await archiveRecording.run(call, stepDeps());
    const second = await archiveRecording.run(call, stepDeps());

    expect(host.requests).toBe(1);
    expect(second).toEqual(first);
  });

  it('downloads again when the archived audio file has gone missing', async () => {
    host = await startRecordingHost(serve(randomBytes(1_000)));
    const call = completedCall({ recordingUrl: host.url });
    const first = await archiveRecording.run(call, stepDeps());
    await unlink(String(first.detail?.['location']));

    const second = await archiveRecording.run(call, stepDeps());

    expect(host.requests).toBe(2);
    expect(second.detail?.['sha256']).toBe(first.detail?.['sha256']);
  });

  it('streams a body sent without Content-Length and accepts application/octet-stream', async () => {
    const audio = randomBytes(10_000);
    host = await startRecordingHost((res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let offset = 0; offset < audio.length; offset += 1_000) res.write(audio.subarray(offset, offset + 1_000));
      res.end();
    });

    const outcome = await archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps());

    expect(outcome.detail).toMatchObject({ bytes: audio.length, sha256: sha256(audio) });
    expect(sha256(await readFile(String(outcome.detail?.['location'])))).toBe(sha256(audio));
  });

  it('keeps arbitrary call ids inside the recordings folder', async () => {
    host = await startRecordingHost(serve(randomBytes(100)));
    const callId = `../../${'x/'.repeat(120)}Évil id`;

    const outcome = await archiveRecording.run(completedCall({ callId, recordingUrl: host.url }), stepDeps());

    expect(await readdir(root)).toEqual(['recordings']);
    expect(String(outcome.detail?.['location']).startsWith(`${dir}/`)).toBe(true);
  });

  it('fails permanently without downloading when Content-Length is over the limit', async () => {
    host = await startRecordingHost(serve(randomBytes(MAX_BYTES + 1)));

    const error = await expectPermanent(
      archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps()),
      'RecordingTooLarge'
    );

    expect(error.message).toContain(`Content-Length is ${MAX_BYTES + 1}`);
    expect(await filesInStorage()).toEqual([]);
  });

  it('stops a stream without Content-Length once it passes the limit, leaving no file', async () => {
    // Never ends on its own: only the size cap can finish this download.
    host = await startRecordingHost((res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
      const timer = setInterval(() => res.write(randomBytes(8_192)), 1);
      res.on('close', () => clearInterval(timer));
    });

    await expectPermanent(
      archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps({ timeoutMs: 30_000 })),
      'RecordingTooLarge'
    );

    expect(await filesInStorage()).toEqual([]);
  });

  it('fails permanently when the URL serves an HTML page instead of audio', async () => {
    host = await startRecordingHost(answer(200, 'text/html; charset=utf-8'));

    const error = await expectPermanent(
      archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps()),
      'RecordingNotAudio'
    );

    expect(error.message).toContain('text/html');
    expect(await filesInStorage()).toEqual([]);
  });

  it.each([403, 404, 410])('fails permanently when the link answers HTTP %i (expired)', async (status) => {
    host = await startRecordingHost(answer(status));

    const error = await expectPermanent(
      archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps()),
      'RecordingUnavailable'
    );

    expect(error.message).toContain(`HTTP ${status}`);
  });

  it.each([500, 503, 429])('throws a retryable error on HTTP %i', async (status) => {
    host = await startRecordingHost(answer(status));

    const error = await failureOf(archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps()));

    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it('throws a retryable error when the connection drops mid-body, leaving no file', async () => {
    host = await startRecordingHost((res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': 20_000 });
      res.write(randomBytes(5_000), () => res.destroy());
    });

    const error = await failureOf(archiveRecording.run(completedCall({ recordingUrl: host.url }), stepDeps()));

    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(await filesInStorage()).toEqual([]);
  });

  it('throws a retryable error when the host cannot be reached', async () => {
    const closed = await startRecordingHost(answer(200));
    await closed.close();

    const error = await failureOf(archiveRecording.run(completedCall({ recordingUrl: closed.url }), stepDeps()));

    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(error.message).toMatch(/Recording download failed/);
  });
});

describe('recordingKey', () => {
  it('makes file-system-safe keys from arbitrary call ids', () => {
    for (const callId of ['../../etc/passwd', 'a'.repeat(255), 'ünïcødé 📞', '.', 'CON', 'a/b\\c:d*e']) {
      const key = recordingKey(callId);
      expect(key).toMatch(/^[a-z0-9_-]{1,200}$/);
    }
  });

  it('is stable for a call id and keeps ids apart that differ only by case or punctuation', () => {
    expect(recordingKey('Call-1')).toBe(recordingKey('Call-1'));
    expect(recordingKey('Call-1')).not.toBe(recordingKey('call-1'));
    expect(recordingKey('a/b')).not.toBe(recordingKey('a:b'));
  });

  it('keeps a UUID call id readable in the key', () => {
    const callId = '3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b';
    expect(recordingKey(callId).startsWith(`${callId}-`)).toBe(true);
  });
});
