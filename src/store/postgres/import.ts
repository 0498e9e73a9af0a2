/**
 * Copies a SQLite store into an empty PostgreSQL store (`letterbox migrate --to`), keeping
 * everything a client or an operator can see: account and mailbox ids, UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ, every message's UID, MODSEQ, flags, internal date, GUID (POP3
 * UIDL) and bytes, the expunge log (QRESYNC), subscriptions, \Recent, POP3-retained
 * messages, aliases, DKIM keys, keyed state and the outbound queue. So clients resume
 * without a resync.
 *
 * One PostgreSQL transaction: the target ends up with all of it or with nothing. The SQLite
 * side is read inside one read transaction (a consistent snapshot, also while a server runs
 * on it; stop it first so nothing arrives after the snapshot).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PG_TYPES } from './context.js';
import { migratePg } from './migrations.js';
import { sortKeysReader } from '../sqlite/sort-schema.js';
import type { SortKeys } from '../sort-types.js';

const sortKeyJson = (k: SortKeys | null): string | null => (k ? JSON.stringify(k) : null);

export interface ImportProgress {
  /** what is being copied ("messages", "queue"…), done and total of it */
  (stage: string, done: number, total: number): void;
}

export interface ImportResult {
  accounts: number;
  mailboxes: number;
  messages: number;
  retained: number;
  queue: number;
  kv: number;
}

const BATCH = 500;

export async function importSqliteIntoPostgres(sqliteFile: string, url: string, progress: ImportProgress = () => undefined): Promise<ImportResult> {
  const src = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  src.pragma('busy_timeout = 10000');
  const pool = new pg.Pool({ connectionString: url || undefined, max: 1, types: PG_TYPES, application_name: 'letterbox-migrate' });
  try {
    await migratePg(pool);
    const db = await pool.connect();
    try {
      await db.query('BEGIN');
      const [{ n }] = (await db.query('SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM domains) + (SELECT count(*) FROM queue) AS n')).rows;
      if (Number(n) > 0) throw new Error('the PostgreSQL store is not empty (it has domains, accounts or queued mail); migrate into a new database');
      src.prepare('BEGIN').run(); // one snapshot of the SQLite side
      const all = <T>(sql: string) => src.prepare(sql).all() as T[];
      const q = (sql: string, params: unknown[]) => db.query(sql, params);

      for (const r of all<{ key: string; value: string }>('SELECT key, value FROM meta'))
        await q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [r.key, r.value]);
      for (const r of all<Record<string, unknown>>('SELECT * FROM domains'))
        await q('INSERT INTO domains (name, created_at, dkim_selector, dkim_private_key) VALUES ($1, $2, $3, $4)', [
          r.name,
          r.created_at,
          r.dkim_selector,
          r.dkim_private_key,
        ]);
      const accounts = all<Record<string, unknown>>('SELECT * FROM accounts ORDER BY id');
      for (const r of accounts)
        await q('INSERT INTO accounts (id, address, domain, password_hash, quota_bytes, pop3_policy, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          r.id,
          r.address,
          r.domain,
          r.password_hash,
          r.quota_bytes,
          r.pop3_policy,
          r.created_at,
        ]);
      for (const r of all<{ source: string; domain: string; destinations: string }>('SELECT * FROM aliases'))
        await q('INSERT INTO aliases (source, domain, destinations) VALUES ($1, $2, $3)', [r.source, r.domain, JSON.parse(r.destinations)]);
      const mailboxes = all<Record<string, unknown>>('SELECT * FROM mailboxes ORDER BY id');
      for (const r of mailboxes)
        await q(
          `INSERT INTO mailboxes (account_id, id, name, special_use, uid_validity, uid_next, highest_modseq, recent_from)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [r.account_id, r.id, r.name, r.special_use, r.uid_validity, r.uid_next, r.highest_modseq, r.recent_from],
        );
      for (const r of all<{ account_id: number; name: string }>('SELECT * FROM subscriptions'))
        await q('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)', [r.account_id, r.name]);

      // bodies: content-addressed per account in PostgreSQL; each SQLite blob once per account using it
      const blobHash = new Map<number, Buffer>();
      const copied = new Set<string>();
      // sort keys (SQLite: blob_sort, or migration 8's JSON rows) travel with the body; a store older than that gets them on first SORT
      const sortKeys = sortKeysReader(src);
      const blobStmt = src.prepare('SELECT * FROM blobs WHERE id = ?');
      const copyBlob = async (accountId: number, blobId: number): Promise<Buffer> => {
        let b: Record<string, unknown> | undefined;
        let hash = blobHash.get(blobId);
        if (!hash) {
          b = blobStmt.get(blobId) as Record<string, unknown>;
          hash = createHash('sha256').update(b.raw as Buffer).digest();
          // the hash SQLite recorded at delivery (letterbox verify) must still match the bytes
          if (typeof b.sha256 === 'string' && b.sha256 !== hash.toString('hex'))
            throw new Error(`stored body ${blobId} no longer matches the content hash recorded at delivery; run letterbox verify and restore from a backup`);
          blobHash.set(blobId, hash);
        }
        const key = `${accountId}:${hash.toString('hex')}`;
        if (copied.has(key)) return hash;
        b ??= blobStmt.get(blobId) as Record<string, unknown>;
        const nul = (s: unknown) => (typeof s === 'string' && s.includes('\u0000') ? s.replace(/\u0000/g, ' ') : s);
        await q(
          `INSERT INTO blobs (account_id, hash, size, bare_lf, date_header, sent_day, subject, mime, header_text, body_text, raw, sort_keys)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
          [accountId, hash, b.size, b.bare_lf, nul(b.date_header), b.sent_day, nul(b.subject), b.mime, nul(b.header_text), nul(b.body_text), b.raw, sortKeyJson(sortKeys(blobId))],
        );
        copied.add(key);
        return hash;
      };

      const total = (src.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
      let done = 0;
      progress('messages', 0, total);
      let batch: Array<Record<string, unknown> & { hash: Buffer }> = [];
      const flush = async () => {
        if (!batch.length) return;
        await q(
          `INSERT INTO messages (account_id, mailbox_id, uid, modseq, flags, seen, deleted, internal_date, size, guid, blob_hash, hidden_pop3, save_date)
           SELECT a, m, u, s, ARRAY(SELECT jsonb_array_elements_text(f::jsonb)), se, de, t, z, g, h, hp, sd
           FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::boolean[], $7::boolean[], $8::bigint[],
                       $9::bigint[], $10::text[], $11::bytea[], $12::boolean[], $13::bigint[]) AS x(a, m, u, s, f, se, de, t, z, g, h, hp, sd)`,
          [
            batch.map((r) => r.account_id),
            batch.map((r) => r.mailbox_id),
            batch.map((r) => r.uid),
            batch.map((r) => r.modseq),
            batch.map((r) => r.flags),
            batch.map((r) => r.seen === 1),
            batch.map((r) => r.deleted === 1),
            batch.map((r) => r.internal_date),
            batch.map((r) => r.size),
            batch.map((r) => r.guid),
            batch.map((r) => r.hash),
            batch.map((r) => r.hidden_pop3 === 1),
            batch.map((r) => (r.save_date ?? null) as number | null),
          ],
        );
        done += batch.length;
        batch = [];
        progress('messages', done, total);
      };
      for (const r of src.prepare('SELECT * FROM messages ORDER BY account_id, mailbox_id, uid').iterate() as IterableIterator<Record<string, unknown>>) {
        batch.push({ ...r, hash: await copyBlob(r.account_id as number, r.blob_id as number) });
        if (batch.length >= BATCH) await flush();
      }
      await flush();

      for (const r of all<Record<string, number>>('SELECT e.*, m.account_id FROM expunged e JOIN mailboxes m ON m.id = e.mailbox_id'))
        await q('INSERT INTO expunged (account_id, mailbox_id, uid, modseq) VALUES ($1, $2, $3, $4)', [r.account_id, r.mailbox_id, r.uid, r.modseq]);
      const retained = all<Record<string, unknown>>('SELECT * FROM retained');
      for (const r of retained) {
        const hash = await copyBlob(r.account_id as number, r.blob_id as number);
        await q(
          `INSERT INTO retained (account_id, guid, blob_hash, flags, internal_date, deleted_at, purge_after)
           VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, $6, $7)`,
          [r.account_id, r.guid, hash, r.flags, r.internal_date, r.deleted_at, r.purge_after],
        );
      }
      const queue = all<Record<string, unknown>>('SELECT * FROM queue');
      progress('queue', 0, queue.length);
      for (const r of queue)
        await q(
          `INSERT INTO queue (id, sender, recipients, created_at, next_attempt_at, attempts, last_error, account_id, warned_at, size, raw)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [r.id, r.sender, JSON.parse(r.recipients as string), r.created_at, r.next_attempt_at, r.attempts, r.last_error, r.account_id, r.warned_at, r.size, r.raw],
        );
      progress('queue', queue.length, queue.length);
      const kv = all<Record<string, unknown>>('SELECT * FROM kv');
      for (const r of kv)
        await q('INSERT INTO kv (account_id, ns, key, value, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          r.account_id,
          r.ns,
          r.key,
          r.value,
          r.updated_at,
          r.expires_at,
        ]);
      // ids handed out next continue after the copied ones
      await db.query("SELECT setval(pg_get_serial_sequence('accounts', 'id'), greatest((SELECT max(id) FROM accounts), 1))");
      await db.query("SELECT setval(pg_get_serial_sequence('mailboxes', 'id'), greatest((SELECT max(id) FROM mailboxes), 1))");
      src.prepare('COMMIT').run();
      await db.query('COMMIT');
      return { accounts: accounts.length, mailboxes: mailboxes.length, messages: total, retained: retained.length, queue: queue.length, kv: kv.length };
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  } finally {
    src.close();
    await pool.end();
  }
}
