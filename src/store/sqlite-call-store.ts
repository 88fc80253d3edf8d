import Database from 'better-sqlite3';
import type { CompletedCall } from '../../workflows/call-record';
import type { CallView } from '../../workflows/call-view';
import type { CallEventDelivery } from '../events';
import { textCodec, toCallView, type Row } from './call-rows';
import {
  IS_FINISHED,
  namedParams,
  recordProgressStatement,
  recordStepResultsStatement,
  recordLateEventStatement,
  saveCallStatements,
  SELECT_CALL,
  SELECT_EVENTS,
  type Statement,
} from './call-statements';
import type { CallProgress, CallStore, StepResults } from './call-store';
import { migrations } from './migrations';

/**
 * The call store on one better-sqlite3 connection. Its calls are synchronous, so each method
 * (and each transaction) runs to completion before another can interleave with it.
 */
export class SqliteCallStore implements CallStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Database.Statement>();

  /** `filename` is a path or `:memory:`; its parent directory must exist. */
  constructor(filename: string) {
    this.db = new Database(filename);
    // WAL lets the receiver read while the worker writes; busy_timeout makes writers from
    // several processes wait for the lock instead of failing with SQLITE_BUSY.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    // IMMEDIATE takes the write lock first, so two processes starting together apply each migration once.
    this.db
      .transaction(() => {
        this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
        const applied = new Set(
          this.db
            .prepare('SELECT id FROM schema_migrations')
            .pluck()
            .all()
            .map((id) => String(id))
        );
        const record = this.db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
        for (const migration of migrations) {
          if (applied.has(migration.id)) continue;
          this.db.exec(migration.sqlite);
          record.run(migration.id, new Date().toISOString());
        }
      })
      .immediate();
  }

  async recordProgress(progress: CallProgress): Promise<void> {
    this.run(recordProgressStatement(progress, new Date().toISOString()));
  }

  async saveCall(call: CompletedCall): Promise<void> {
    const statements = saveCallStatements(call, new Date().toISOString());
    this.db.transaction(() => statements.forEach((statement) => this.run(statement))).immediate();
  }

  async recordStepResults(results: StepResults): Promise<void> {
    this.run(recordStepResultsStatement(results, new Date().toISOString()));
  }

  async recordLateEvent(delivery: CallEventDelivery): Promise<void> {
    this.run(recordLateEventStatement(delivery));
  }

  async isFinished(callId: string): Promise<boolean> {
    const row = this.get({ sql: IS_FINISHED, params: { callId } });
    return Boolean(row?.['finished']);
  }

  async getCallView(callId: string): Promise<CallView | null> {
    // One read transaction, so the call row and its events come from the same snapshot.
    return this.db.transaction(() => {
      const callRow = this.get({ sql: SELECT_CALL, params: { callId } });
      if (!callRow) return null;
      const eventRows = this.prepare(SELECT_EVENTS).all(namedParams({ sql: SELECT_EVENTS, params: { callId } }));
      return toCallView(callRow, eventRows as Row[], textCodec);
    })();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private run(statement: Statement): void {
    this.prepare(statement.sql).run(namedParams(statement));
  }

  private get(statement: Statement): Row | undefined {
    return this.prepare(statement.sql).get(namedParams(statement)) as Row | undefined;
  }
}
