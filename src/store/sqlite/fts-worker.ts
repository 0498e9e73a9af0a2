/**
 * Worker thread of fts-thread.ts: full-text indexing (fulltext.ts indexPending) on a
 * connection of its own to the store's file, so FTS5's tokenizing and segment writes run on
 * another core while the event loop serves connections and commits deliveries.
 * In: { file, busyTimeoutMs } as workerData; messages { id, limit } or { stop: true }.
 * Out: { id, more } or { id, error }; { stopped: true } once the connection is closed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createFullText } from './fulltext.js';

const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
// the write lock is waited for here, inside SQLite: this thread serves nobody meanwhile
const db = new Database(file, { timeout: busyTimeoutMs, fileMustExist: true });
// upkeep, not a caller's change: no sync of its own (the server's next durable commit syncs
// the write-ahead log; a crash before leaves the blobs listed, indexed at the next open)
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 4000');
const statements = new Map<string, Database.Statement>();
const q = (sql: string): Database.Statement => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql)!;
const fulltext = createFullText(q);
/** highest blob id looked at (blob ids only grow: AUTOINCREMENT) */
let after = 0;

parentPort!.on('message', (m: { id: number; limit: number } | { stop: true }) => {
  if ('stop' in m) {
    db.close();
    parentPort!.postMessage({ stopped: true });
    return;
  }
  try {
    // the blobs are picked and unlisted inside the write transaction: never indexed twice,
    // whoever else (the event loop's drain, other processes) indexes meanwhile
    const r = db.transaction(() => fulltext.indexPending(after, m.limit)).immediate();
    after = r.last;
    parentPort!.postMessage({ id: m.id, more: r.seen === m.limit });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
