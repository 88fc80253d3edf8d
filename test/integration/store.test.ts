import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import type { CallStore } from '../../src/store/call-store';
import { migrations } from '../../src/store/migrations';
import { openCallStore } from '../../src/store/open-call-store';
import type { CallRecord, CompletedCall, StepResult } from '../../workflows/call-record';
import type { ReceivedEvent } from '../../workflows/call-state';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

type Row = Record<string, unknown>;

/** Direct reads of the tables, so tests check the rows themselves and not only the store's view of them. */
interface RawDb {
  /** `?` placeholders on both databases. */
  rows(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

async function openRaw(kind: 'sqlite' | 'postgres', target: string): Promise<RawDb> {
  if (kind === 'sqlite') {
    const db = new Database(target, { readonly: true });
    return {
      rows: async (sql, params = []) => db.prepare(sql).all(...params) as Row[],
      close: async () => void db.close(),
    };
  }
  const client = new Client({ connectionString: target });
  await client.connect();
  return {
    rows: async (sql, params = []) => {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params
        )
      ).rows as Row[];
    },
    close: () => client.end(),
  };
}

const AGENT = 'agent-7f3c';
const WORKSPACE = 'ws-19ab';

function event(key: string, payload: Record<string, unknown>, receivedAt: string, deliveries = 1): ReceivedEvent {
  return {
    key,
    eventType: String(payload['event_type']),
    firstReceivedAt: receivedAt,
    lastReceivedAt: receivedAt,
    deliveries,
    payload: { call_id: String(payload['call_id']), event_type: String(payload['event_type']), ...payload },
    schemaIssues: [],
  };
}

/** A realistic finished call: two dial attempts (a retry, then a completed conversation) and its analyses. */
function completedCall(callId: string): CompletedCall {
  const common = { call_id: callId, agent_id: AGENT, workspace_id: WORKSPACE };
  const transcript = [{ bot: 'Hello, this is Asha from Acme.' }, { user: 'Hi, yes?' }];
  const platformAnalysis = {
    summary: 'Customer agreed to a demo.',
    classification: 'interested',
    key_points: ['demo on Friday'],
    callback_requested: false,
  };
  const finalPayload = {
    ...common,
    event_type: 'all_processing_completed',
    status: 'completed',
    call_duration: 42.5,
    transcript,
    platform_analysis: platformAnalysis,
    client_analysis: { budget: 'high', nested: { ok: true } },
  };
  const events: ReceivedEvent[] = [
    event(
      'call_started:registered',
      { ...common, event_type: 'call_started', status: 'registered', sub_status: 'QUEUED' },
      '2026-08-01T10:00:00.000Z'
    ),
    // Attempt 1 arrives before attempt 0 on purpose: the view sorts attempts by retry_count.
    event(
      'call_completed:attempt-1',
      {
        ...common,
        event_type: 'call_completed',
        retry_count: 1,
        status: 'completed',
        sub_status: 'USER_HANGUP',
        called_on: '2026-08-01T10:05:00.000000Z',
      },
      '2026-08-01T10:06:00.000Z'
    ),
    event(
      'call_completed:attempt-0',
      {
        ...common,
        event_type: 'call_completed',
        retry_count: 0,
        status: 'retry',
        sub_status: 'NO_ANSWER',
        called_on: '2026-08-01T10:01:00.000000Z',
      },
      '2026-08-01T10:07:00.000Z',
      2
    ),
    event(
      'platform_analysis_completed',
      { ...common, event_type: 'platform_analysis_completed', analysis_data: platformAnalysis, transcript },
      '2026-08-01T10:08:00.000Z'
    ),
    event('all_processing_completed', finalPayload, '2026-08-01T10:09:00.000Z'),
  ];
  events[3]!.schemaIssues = [{ path: ['call_cost'], code: 'invalid_type', message: 'expected number' }];
  const record: CallRecord = {
    callId,
    status: 'completed',
    callStatus: 'completed',
    subStatus: 'USER_HANGUP',
    agentId: AGENT,
    agentName: 'Asha',
    workspaceId: WORKSPACE,
    direction: 'outbound',
    toNumber: '+919800000001',
    fromNumber: '+918000000002',
    durationSeconds: 42.5,
    cost: 1.75,
    recordingUrl: 'https://recordings.example.test/r.mp3',
    summary: platformAnalysis.summary,
    classification: platformAnalysis.classification,
    transcript,
    platformAnalysis,
    clientAnalysis: finalPayload.client_analysis,
    customArgs: { customer_name: 'Ravi', plan: 'gold' },
    finalPayload,
    dialAttempts: 2,
    completion: { reason: 'all_processing_completed', completedAt: '2026-08-01T10:09:01.000Z' },
  };
  const steps: StepResult[] = [{ name: 'storeCall', status: 'pending', attempts: 0, lastError: null, detail: null }];
  return { record, events, steps };
}

const FINAL_STEPS: StepResult[] = [
  { name: 'storeCall', status: 'done', attempts: 1, lastError: null, detail: { database: 'x' } },
  { name: 'updateCrm', status: 'failed', attempts: 5, lastError: 'CRM answered 400', detail: null },
];

function withoutUpdatedAt(rows: Row[]): Row[] {
  return rows.map(({ updated_at: _updatedAt, ...row }) => row);
}

describe.each(['sqlite', 'postgres'] as const)('call store on %s', (kind) => {
  let dir: string;
  let postgres: TestPostgres | null = null;
  let url: string;
  let rawTarget: string;
  let store: CallStore;
  let raw: RawDb;
  const freshDatabases: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ringg-store-'));
    if (kind === 'postgres') {
      postgres = await startPostgres();
      url = postgres.url;
      rawTarget = postgres.url;
    } else {
      rawTarget = join(dir, 'calls.db');
      url = `sqlite:${rawTarget}`;
    }
    store = await openCallStore(url);
    raw = await openRaw(kind, rawTarget);
  });

  afterAll(async () => {
    // Dropped explicitly: with TEST_DATABASE_URL they would otherwise outlive the run.
    for (const name of freshDatabases) await raw.rows(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await raw?.close();
    await store?.close();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const callRows = (callId: string) => raw.rows('SELECT * FROM calls WHERE call_id = ?', [callId]);
  const eventRows = (callId: string) =>
    raw.rows('SELECT * FROM call_events WHERE call_id = ? ORDER BY event_key', [callId]);
  const migrationCount = async () => Number((await raw.rows('SELECT count(*) AS n FROM schema_migrations'))[0]?.['n']);

  /** A URL for a database no store has touched yet. */
  async function emptyDatabaseUrl(): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(dir, `${randomUUID()}.db`)}`;
    const name = `fresh_${randomUUID().replace(/-/g, '')}`;
    await raw.rows(`CREATE DATABASE ${name}`);
    freshDatabases.push(name);
    const fresh = new URL(url);
    fresh.pathname = `/${name}`;
    return fresh.toString();
  }

  it('applies each migration once and reopens', async () => {
    expect(store.kind).toBe(kind);
    expect(await migrationCount()).toBe(migrations.length);
    const again = await openCallStore(url);
    await again.ping();
    await again.close();
    expect(await migrationCount()).toBe(migrations.length);
    const ids = (await raw.rows('SELECT id FROM schema_migrations ORDER BY id')).map((row) => row['id']);
    expect(ids).toEqual(migrations.map((migration) => migration.id));
  });

  it('migrates an empty database once when several processes start together', async () => {
    const fresh = await emptyDatabaseUrl();
    const stores = await Promise.all([openCallStore(fresh), openCallStore(fresh), openCallStore(fresh)]);
    const callId = randomUUID();
    await stores[0]!.saveCall(completedCall(callId));
    expect(await stores[2]!.isFinished(callId)).toBe(false);
    expect((await stores[1]!.getCallView(callId))?.callId).toBe(callId);
    await Promise.all(stores.map((other) => other.close()));
  });

  it('indexes calls by agent, workspace and status', async () => {
    const indexes =
      kind === 'sqlite'
        ? await raw.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'")
        : await raw.rows("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'calls'");
    expect(indexes.map((row) => row['name'])).toEqual(
      expect.arrayContaining(['calls_agent_id_idx', 'calls_workspace_id_idx', 'calls_status_idx'])
    );
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('leaves identical rows, one per call and per event key, when saveCall runs twice', async () => {
    const call = completedCall(randomUUID());
    await store.saveCall(call);
    const callsAfterFirst = await callRows(call.record.callId);
    const eventsAfterFirst = await eventRows(call.record.callId);

    await store.saveCall(call);
    const callsAfterSecond = await callRows(call.record.callId);
    const eventsAfterSecond = await eventRows(call.record.callId);

    expect(callsAfterSecond).toHaveLength(1);
    expect(eventsAfterSecond.map((row) => row['event_key'])).toEqual(call.events.map((e) => e.key).sort());
    expect(withoutUpdatedAt(callsAfterSecond)).toEqual(withoutUpdatedAt(callsAfterFirst));
    expect(eventsAfterSecond).toEqual(eventsAfterFirst);
    expect(callsAfterSecond[0]?.['finished_at']).toBeNull();
    expect(await store.isFinished(call.record.callId)).toBe(false);
  });

  it('updates an event row in place when a later snapshot has more deliveries, and ignores an older one', async () => {
    const call = completedCall(randomUUID());
    await store.saveCall(call);

    const later = completedCall(call.record.callId);
    const repeated = later.events.find((e) => e.key === 'platform_analysis_completed')!;
    repeated.deliveries = 3;
    repeated.lastReceivedAt = '2026-08-01T10:20:00.000Z';
    repeated.payload = { ...repeated.payload, call_cost: 2.5 };
    repeated.schemaIssues = [];
    await store.saveCall(later);

    const rows = await eventRows(call.record.callId);
    expect(rows).toHaveLength(call.events.length);
    let view = await store.getCallView(call.record.callId);
    expect(view?.events.find((e) => e.key === repeated.key)).toEqual({
      key: repeated.key,
      eventType: 'platform_analysis_completed',
      firstReceivedAt: '2026-08-01T10:08:00.000Z',
      lastReceivedAt: '2026-08-01T10:20:00.000Z',
      deliveries: 3,
      schemaIssues: [],
    });
    const row = rows.find((r) => r['event_key'] === repeated.key)!;
    const payload = kind === 'sqlite' ? JSON.parse(String(row['payload'])) : row['payload'];
    expect(payload).toMatchObject({ call_cost: 2.5 });

    // A stale retry of the first snapshot must not roll the event back.
    await store.saveCall(call);
    view = await store.getCallView(call.record.callId);
    expect(view?.events.find((e) => e.key === repeated.key)?.deliveries).toBe(3);
    expect(await eventRows(call.record.callId)).toEqual(rows);
  });

  it('never moves the stored call status backwards and fills agent and workspace once', async () => {
    const callId = randomUUID();
    const progress = { callId, subStatus: null, agentId: null, workspaceId: null };
    await store.recordProgress({ ...progress, callStatus: 'ongoing', subStatus: 'ACCEPTED', statusRank: 2 });
    await store.recordProgress({
      ...progress,
      callStatus: 'registered',
      subStatus: 'QUEUED',
      statusRank: 1,
      agentId: AGENT,
    });
    let [row] = await callRows(callId);
    expect(row).toMatchObject({ call_status: 'ongoing', sub_status: 'ACCEPTED', status_rank: 2, agent_id: AGENT });

    await store.recordProgress({
      ...progress,
      callStatus: 'ongoing',
      statusRank: 2,
      agentId: 'other',
      workspaceId: WORKSPACE,
    });

    [row] = await callRows(callId);
    expect(row).toMatchObject({
      status: 'in_progress',
      call_status: 'ongoing',
      sub_status: null,
      status_rank: 2,
      agent_id: AGENT,
      workspace_id: WORKSPACE,
    });

    await store.recordProgress({ ...progress, callStatus: 'completed', subStatus: 'USER_HANGUP', statusRank: 4 });
    [row] = await callRows(callId);
    expect(row).toMatchObject({ call_status: 'completed', sub_status: 'USER_HANGUP', status_rank: 4 });

    const view = await store.getCallView(callId);
    expect(view).toMatchObject({ status: 'in_progress', callStatus: 'completed', agentId: AGENT, events: [] });
    expect(view?.record.transcript).toEqual([]);
  });

  it('never lets progress touch a completed or finished call', async () => {
    const call = completedCall(randomUUID());
    const callId = call.record.callId;
    await store.saveCall(call);
    const before = await callRows(callId);

    await store.recordProgress({
      callId,
      callStatus: 'failed',
      subStatus: 'LATE',
      statusRank: 4,
      agentId: 'other',
      workspaceId: 'other',
    });
    expect(await callRows(callId)).toEqual(before);

    await store.recordStepResults({ callId, status: 'completed', steps: FINAL_STEPS });
    const finished = await callRows(callId);
    await store.recordProgress({
      callId,
      callStatus: 'retry',
      subStatus: null,
      statusRank: 3,
      agentId: null,
      workspaceId: null,
    });
    expect(await callRows(callId)).toEqual(finished);
  });

  it('marks a call finished once step results are recorded, keeping the first finish time', async () => {
    const call = completedCall(randomUUID());
    const callId = call.record.callId;
    expect(await store.isFinished(callId)).toBe(false);
    await store.saveCall(call);
    expect(await store.isFinished(callId)).toBe(false);

    await store.recordStepResults({ callId, status: 'failed', steps: FINAL_STEPS });
    expect(await store.isFinished(callId)).toBe(true);
    const [first] = await callRows(callId);
    expect(first?.['finished_at']).not.toBeNull();
    expect((await store.getCallView(callId))?.status).toBe('failed');

    await new Promise((resolve) => setTimeout(resolve, 5)); // so a rewritten finished_at would differ
    await store.recordStepResults({ callId, status: 'failed', steps: FINAL_STEPS });
    // A stray re-save after finishing keeps the final status, steps and finish time.
    await store.saveCall(call);
    const [after] = await callRows(callId);
    expect(after?.['finished_at']).toEqual(first?.['finished_at']);
    const view = await store.getCallView(callId);
    expect(view?.status).toBe('failed');
    expect(view?.steps).toEqual(FINAL_STEPS);
    expect(await store.isFinished(callId)).toBe(true);
  });

  it('marks a call finished even when its row was never saved', async () => {
    const callId = randomUUID();
    await store.recordStepResults({ callId, status: 'failed', steps: FINAL_STEPS });
    expect(await store.isFinished(callId)).toBe(true);
    expect(await store.getCallView(callId)).toMatchObject({ callId, status: 'failed', steps: FINAL_STEPS, events: [] });
  });

  it('stores a payload holding a NUL character, which PostgreSQL JSONB cannot hold, as U+FFFD', async () => {
    const call = completedCall(randomUUID());
    call.events[0]!.payload = { ...call.events[0]!.payload, note: 'a\u0000b', literal: '\\u0000' };
    call.record.customArgs = { name: 'x\u0000' };
    await store.saveCall(call);
    const view = await store.getCallView(call.record.callId);
    expect(view?.record.customArgs).toEqual({ name: 'x\ufffd' });
    const [row] = await raw.rows('SELECT payload FROM call_events WHERE call_id = ? AND event_key = ?', [
      call.record.callId,
      call.events[0]!.key,
    ]);
    const payload = kind === 'sqlite' ? JSON.parse(String(row?.['payload'])) : row?.['payload'];
    expect(payload).toMatchObject({ note: 'a\ufffdb', literal: '\\u0000' });
  });

  it('keeps an event that arrives after the call finished without changing the call', async () => {
    const call = completedCall(randomUUID());
    const existing = call.events[0]!;
    const late = (key: ReceivedEvent, eventType = key.eventType) => ({
      deliveryId: randomUUID(),
      receivedAt: '2030-01-01T00:00:00.000Z',
      payload: { ...key.payload, event_type: eventType },
      schemaIssues: [],
    });
    await store.recordLateEvent(late(existing));
    expect(await store.getCallView(call.record.callId)).toBeNull();

    await store.saveCall(call);
    await store.recordStepResults({ callId: call.record.callId, status: 'completed', steps: FINAL_STEPS });
    await store.recordLateEvent(late(existing));
    await store.recordLateEvent(late(existing, 'call_transferred'));
    const view = await store.getCallView(call.record.callId);
    const row = view?.events.find((event) => event.key === existing.key);
    expect(row?.deliveries).toBe(existing.deliveries + 1);
    expect(row?.lastReceivedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(view?.events.find((event) => event.eventType === 'call_transferred')?.deliveries).toBe(1);
    expect(view?.events).toHaveLength(call.events.length + 1);
    expect(view?.status).toBe('completed');
  });

  it('shows a saved call as in_progress until its step results are recorded', async () => {
    const call = completedCall(randomUUID());
    await store.saveCall(call);
    expect((await store.getCallView(call.record.callId))?.status).toBe('in_progress');
    await store.recordStepResults({ callId: call.record.callId, status: 'completed', steps: FINAL_STEPS });
    expect((await store.getCallView(call.record.callId))?.status).toBe('completed');
  });

  it('rebuilds the call view from the rows', async () => {
    const call = completedCall(randomUUID());
    await store.saveCall(call);
    await store.recordStepResults({ callId: call.record.callId, status: 'completed', steps: FINAL_STEPS });

    const view = await store.getCallView(call.record.callId);
    expect(view).toEqual({
      callId: call.record.callId,
      status: 'completed',
      callStatus: 'completed',
      subStatus: 'USER_HANGUP',
      agentId: AGENT,
      workspaceId: WORKSPACE,
      events: [...call.events]
        .sort((a, b) => a.firstReceivedAt.localeCompare(b.firstReceivedAt))
        .map(({ payload: _payload, ...rest }) => rest),
      attempts: [
        { retryCount: 0, status: 'retry', subStatus: 'NO_ANSWER', calledOn: '2026-08-01T10:01:00.000000Z' },
        { retryCount: 1, status: 'completed', subStatus: 'USER_HANGUP', calledOn: '2026-08-01T10:05:00.000000Z' },
      ],
      steps: FINAL_STEPS,
      record: call.record,
      source: 'store',
    });
    expect(await store.getCallView(randomUUID())).toBeNull();
  });
});

describe('openCallStore', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringg-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects an unknown DATABASE_URL scheme with a message naming the variable but not the URL', async () => {
    const attempt = openCallStore('mysql://user:s3cret@db/calls');
    await expect(attempt).rejects.toThrow(/DATABASE_URL must be sqlite:PATH or postgres:\/\/… \(got scheme "mysql:"\)/);
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });

  it('resolves a relative sqlite path against the working directory and creates its parent directories', async () => {
    const file = join(dir, 'nested', 'deeper', 'calls.db');
    const store = await openCallStore(`sqlite:${relative(process.cwd(), file)}`);
    await store.ping();
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('opens an in-memory sqlite store', async () => {
    const store = await openCallStore('sqlite::memory:');
    const callId = randomUUID();
    await store.saveCall(completedCall(callId));
    expect((await store.getCallView(callId))?.record.callId).toBe(callId);
    await store.close();
  });
});
