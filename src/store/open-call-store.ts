import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CallStore } from './call-store';
import { PostgresCallStore } from './postgres-call-store';
import { SqliteCallStore } from './sqlite-call-store';

function sqliteFilename(path: string): string {
  if (path === ':memory:') return path;
  const filename = resolve(process.cwd(), path);
  mkdirSync(dirname(filename), { recursive: true });
  return filename;
}

/**
 * Opens the store `DATABASE_URL` names and applies pending migrations:
 * `sqlite:PATH` (relative to the working directory, or `sqlite::memory:`) or `postgres://…`.
 * Throws on any other scheme; the message never echoes the URL, which may hold a password.
 */
export async function openCallStore(databaseUrl: string): Promise<CallStore> {
  let store: CallStore;
  if (databaseUrl.startsWith('sqlite:')) {
    // `sqlite:///abs/path` and `sqlite://rel` are common spellings of `sqlite:PATH`.
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:data/calls.db');
    store = new SqliteCallStore(sqliteFilename(path));
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    store = new PostgresCallStore(databaseUrl);
  } else {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(databaseUrl)?.[1];
    throw new Error(
      `DATABASE_URL must be sqlite:PATH or postgres://… (got ${scheme ? `scheme "${scheme}:"` : 'no scheme'})`
    );
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}
