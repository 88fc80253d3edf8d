/*
 * Scenario (c), what users hand-write instead of a workflow engine: Express, express.json(),
 * and one INSERT per event into SQLite. WAL as better-sqlite3's docs recommend; synchronous
 * stays at its default (FULL) so a 200 means the row is on disk, as a 200 from Temporal does.
 */
import Database from 'better-sqlite3';
import express from 'express';
import { announceReady, requiredEnv, stopWithParent } from './child-side';

const db = new Database(requiredEnv('BENCH_SQLITE_FILE'));
db.pragma('journal_mode = WAL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  received_at TEXT NOT NULL,
  payload TEXT NOT NULL
)`);
const insert = db.prepare('INSERT INTO events (call_id, event_type, received_at, payload) VALUES (?, ?, ?, ?)');

const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/webhooks/ringg', (req, res) => {
  const body = req.body as { call_id?: unknown; event_type?: unknown };
  if (typeof body.call_id !== 'string' || typeof body.event_type !== 'string') {
    res.status(422).json({ error: 'call_id and event_type are required' });
    return;
  }
  insert.run(body.call_id, body.event_type, new Date().toISOString(), JSON.stringify(body));
  res.status(200).json({ status: 'stored', call_id: body.call_id });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : undefined);
});
stopWithParent(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});
