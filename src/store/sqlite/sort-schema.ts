/**
 * Where the SQLite store keeps the keys of ../sort-types.ts: one row per stored body in
 * blob_sort (plain typed columns, so SORT orders in SQL and THREAD reads a few short
 * strings, never JSON) and the RFC 8970 preview apart in blob_preview (only FETCH PREVIEW
 * reads it). Written with the body (rows.ts insertBlob); migration 14 fills both from
 * migration 8's JSON rows (blob_sort_keys), computing what an older body lacks.
 */
import type Database from 'better-sqlite3';
import { indexMessage } from '../../mime/index.js';
import type { MimeIndex } from '../../mime/types.js';
import { computeSortKeys } from '../sort-keys.js';
import type { SortKeys } from '../sort-types.js';

export const SORT_SCHEMA = `
  CREATE TABLE IF NOT EXISTS blob_sort (
    blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    sent_date INTEGER,             -- Date: header, UTC ms; NULL when missing or unparsable
    subject TEXT NOT NULL,         -- RFC 5256 base subject, case-mapped
    reply INTEGER NOT NULL,        -- 1: the subject shows a reply or forward
    from_addr TEXT NOT NULL,       -- addr-mailbox of the first From / To / Cc, case-mapped
    to_addr TEXT NOT NULL,
    cc_addr TEXT NOT NULL,
    display_from TEXT NOT NULL,    -- RFC 5957 display name (else addr-spec), case-mapped
    display_to TEXT NOT NULL,
    message_id TEXT,               -- without angle brackets
    refs TEXT NOT NULL             -- thread parents, oldest first, space-separated (msg-ids hold no spaces)
  );
  CREATE TABLE IF NOT EXISTS blob_preview (
    blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    preview TEXT NOT NULL
  );
`;

type Prepare = (sql: string) => Database.Statement;

export function insertSortKeys(q: Prepare, blobId: number, k: SortKeys): void {
  q(
    `INSERT INTO blob_sort (blob_id, sent_date, subject, reply, from_addr, to_addr, cc_addr, display_from, display_to, message_id, refs)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(blobId, k.sentDate, k.subject, k.replyOrForward ? 1 : 0, k.from, k.to, k.cc, k.displayFrom, k.displayTo, k.messageId, k.references.join(' '));
  q('INSERT INTO blob_preview (blob_id, preview) VALUES (?, ?)').run(blobId, k.preview);
}

/**
 * A reader of one body's keys from a SQLite store of any version (blob_sort after migration
 * 14, blob_sort_keys JSON before it, none before migration 8: null), for copying a store
 * elsewhere (letterbox migrate --to postgres).
 */
export function sortKeysReader(db: Database.Database): (blobId: number) => SortKeys | null {
  const has = (t: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
  if (has('blob_sort')) {
    const st = db.prepare(
      `SELECT s.sent_date, s.subject, s.reply, s.from_addr, s.to_addr, s.cc_addr, s.display_from, s.display_to, s.message_id, s.refs, p.preview
       FROM blob_sort s LEFT JOIN blob_preview p ON p.blob_id = s.blob_id WHERE s.blob_id = ?`,
    );
    return (id) => {
      const r = st.get(id) as
        | { sent_date: number | null; subject: string; reply: number; from_addr: string; to_addr: string; cc_addr: string; display_from: string; display_to: string; message_id: string | null; refs: string; preview: string | null }
        | undefined;
      if (!r) return null;
      return {
        sentDate: r.sent_date,
        subject: r.subject,
        replyOrForward: r.reply === 1,
        from: r.from_addr,
        to: r.to_addr,
        cc: r.cc_addr,
        displayFrom: r.display_from,
        displayTo: r.display_to,
        messageId: r.message_id,
        references: splitRefs(r.refs),
        preview: r.preview ?? '',
      };
    };
  }
  if (has('blob_sort_keys')) {
    const st = db.prepare('SELECT keys FROM blob_sort_keys WHERE blob_id = ?').pluck();
    return (id) => {
      const j = st.get(id) as string | undefined;
      return j ? (JSON.parse(j) as SortKeys) : null;
    };
  }
  return () => null;
}

/** a refs column back into the list */
export const splitRefs = (refs: string): string[] => (refs ? refs.split(' ') : []);

/**
 * Migration 14: blob_sort_keys JSON → blob_sort / blob_preview; bodies without keys get them
 * computed now. Idempotent (a store whose later versions are replayed keeps its rows).
 */
export function migrateSortKeys(db: Database.Database): void {
  const stmts = new Map<string, Database.Statement>();
  const q: Prepare = (sql) => stmts.get(sql) ?? stmts.set(sql, db.prepare(sql)).get(sql)!;
  const json = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blob_sort_keys'").get() !== undefined;
  const next = db.prepare(
    `SELECT b.id, ${json ? 'k.keys' : 'NULL AS keys'} FROM blobs b ${json ? 'LEFT JOIN blob_sort_keys k ON k.blob_id = b.id' : ''}
     WHERE b.id > ? AND NOT EXISTS (SELECT 1 FROM blob_sort s WHERE s.blob_id = b.id) ORDER BY b.id LIMIT 512`,
  );
  const body = db.prepare('SELECT raw, mime FROM blobs WHERE id = ?');
  for (let after = 0; ; ) {
    const rows = next.all(after) as Array<{ id: number; keys: string | null }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      let k: SortKeys;
      if (r.keys) k = JSON.parse(r.keys) as SortKeys;
      else {
        const b = body.get(r.id) as { raw: Buffer; mime: string };
        // an index unusable for any reason is made again from the bytes
        const stored = JSON.parse(b.mime) as Partial<MimeIndex>;
        k = computeSortKeys(b.raw, stored.root ? (stored as MimeIndex) : indexMessage(b.raw));
      }
      insertSortKeys(q, r.id, k);
    }
    after = rows[rows.length - 1]!.id;
  }
  db.exec('DROP TABLE IF EXISTS blob_sort_keys');
}
