/**
 * Schema changes, oldest first. Each is applied once per database, in order, and recorded in
 * `schema_migrations`. Never edit a released migration: append a new one.
 */
export interface Migration {
  id: string;
  sqlite: string;
  postgres: string;
}

export const migrations: readonly Migration[] = [
  {
    id: '0001_calls_and_call_events',
    // Times are canonical ISO 8601 text on SQLite so that text comparison orders them.
    sqlite: `
      CREATE TABLE calls (
        call_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'incomplete', 'failed')),
        call_status TEXT,
        sub_status TEXT,
        status_rank INTEGER NOT NULL DEFAULT 0,
        agent_id TEXT,
        agent_name TEXT,
        workspace_id TEXT,
        direction TEXT,
        to_number TEXT,
        from_number TEXT,
        duration_seconds REAL,
        cost REAL,
        recording_url TEXT,
        summary TEXT,
        classification TEXT,
        transcript TEXT,
        platform_analysis TEXT,
        client_analysis TEXT,
        custom_args TEXT,
        final_payload TEXT,
        dial_attempts INTEGER NOT NULL DEFAULT 0,
        completion_reason TEXT,
        completed_at TEXT,
        steps TEXT,
        finished_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX calls_agent_id_idx ON calls (agent_id);
      CREATE INDEX calls_workspace_id_idx ON calls (workspace_id);
      CREATE INDEX calls_status_idx ON calls (status);
      CREATE TABLE call_events (
        call_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        event_type TEXT NOT NULL,
        first_received_at TEXT NOT NULL,
        last_received_at TEXT NOT NULL,
        deliveries INTEGER NOT NULL,
        payload TEXT NOT NULL,
        schema_issues TEXT NOT NULL,
        PRIMARY KEY (call_id, event_key)
      );
    `,
    postgres: `
      CREATE TABLE calls (
        call_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'incomplete', 'failed')),
        call_status TEXT,
        sub_status TEXT,
        status_rank INTEGER NOT NULL DEFAULT 0,
        agent_id TEXT,
        agent_name TEXT,
        workspace_id TEXT,
        direction TEXT,
        to_number TEXT,
        from_number TEXT,
        duration_seconds DOUBLE PRECISION,
        cost DOUBLE PRECISION,
        recording_url TEXT,
        summary TEXT,
        classification TEXT,
        transcript JSONB,
        platform_analysis JSONB,
        client_analysis JSONB,
        custom_args JSONB,
        final_payload JSONB,
        dial_attempts INTEGER NOT NULL DEFAULT 0,
        completion_reason TEXT,
        completed_at TIMESTAMPTZ,
        steps JSONB,
        finished_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX calls_agent_id_idx ON calls (agent_id);
      CREATE INDEX calls_workspace_id_idx ON calls (workspace_id);
      CREATE INDEX calls_status_idx ON calls (status);
      CREATE TABLE call_events (
        call_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        event_type TEXT NOT NULL,
        first_received_at TIMESTAMPTZ NOT NULL,
        last_received_at TIMESTAMPTZ NOT NULL,
        deliveries INTEGER NOT NULL,
        payload JSONB NOT NULL,
        schema_issues JSONB NOT NULL,
        PRIMARY KEY (call_id, event_key)
      );
    `,
  },
];
