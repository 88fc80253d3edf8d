import { Pool, type PoolClient } from 'pg';
import type { CompletedCall } from '../../workflows/call-record';
import type { CallView } from '../../workflows/call-view';
import type { CallEventDelivery } from '../events';
import { postgresCodec, toCallView, type Row } from './call-rows';
import {
  IS_FINISHED,
  recordProgressStatement,
  recordStepResultsStatement,
  recordLateEventStatement,
  saveCallStatements,
  SELECT_CALL,
  SELECT_EVENTS,
  toPositional,
  type Statement,
} from './call-statements';
import type { CallProgress, CallStore, StepResults } from './call-store';
import { migrations } from './migrations';

// Any fixed number shared by every process of this application; it names the migration lock.
const MIGRATION_LOCK_KEY = 7_310_245_118;

/** The call store on a node-postgres pool. */
export class PostgresCallStore implements CallStore {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private closed = false;

  constructor(connectionString: string) {
    this.pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle client losing its connection (server restart, failover) emits 'error' on the pool;
    // unhandled, that would crash the process. The pool drops the client and the next query reconnects.
    this.pool.on('error', () => {});
  }

  async migrate(): Promise<void> {
    // The advisory lock serialises concurrent starts until COMMIT; DDL is transactional here,
    // so a failed migration leaves neither its tables nor its schema_migrations row behind.
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)'
      );
      const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
      const applied = new Set(rows.map((row) => row.id));
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, now())', [migration.id]);
      }
    });
  }

  async recordProgress(progress: CallProgress): Promise<void> {
    await this.query(this.pool, recordProgressStatement(progress, new Date().toISOString()));
  }

  async saveCall(call: CompletedCall): Promise<void> {
    const statements = saveCallStatements(call, new Date().toISOString());
    await this.transaction(async (client) => {
      for (const statement of statements) await this.query(client, statement);
    });
  }

  async recordStepResults(results: StepResults): Promise<void> {
    await this.query(this.pool, recordStepResultsStatement(results, new Date().toISOString()));
  }

  async recordLateEvent(delivery: CallEventDelivery): Promise<void> {
    await this.query(this.pool, recordLateEventStatement(delivery));
  }

  async isFinished(callId: string): Promise<boolean> {
    const rows = await this.query(this.pool, { sql: IS_FINISHED, params: { callId } });
    return rows[0]?.['finished'] === true;
  }

  async getCallView(callId: string): Promise<CallView | null> {
    // REPEATABLE READ: the call row and its events come from one snapshot.
    return this.transaction(async (client) => {
      const [callRow] = await this.query(client, { sql: SELECT_CALL, params: { callId } });
      if (!callRow) return null;
      const eventRows = await this.query(client, { sql: SELECT_EVENTS, params: { callId } });
      return toCallView(callRow, eventRows, postgresCodec);
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query(target: Pool | PoolClient, statement: Statement): Promise<Row[]> {
    const { text, values } = toPositional(statement);
    const result = await target.query(text, values);
    return result.rows as Row[];
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: release it as broken so the pool does not reuse it.
        broken = rollbackError;
      }
      throw error;
    } finally {
      client.release(broken !== undefined);
    }
  }
}
