/**
 * Versioned schema migrations. Each entry runs once, in its own IMMEDIATE transaction
 * together with its row in `schema_migrations`, so a crash or a second process never
 * leaves a half-applied version. Append new entries; never edit an applied one.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../types.js';
import { sentDayNumber } from '../search.js';
import { contentHash } from './rows.js';
import { FTS_STATE_SCHEMA, FULLTEXT_SCHEMA, UNINDEXED_SCHEMA, indexAllBlobs } from './fulltext.js';
import { migrateSortKeys, SORT_SCHEMA } from './sort-schema.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** data changes SQL cannot express, run after `sql` in the same transaction */
  up?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: domains, accounts, aliases, mailboxes, messages, blobs, POP3 retention, queue',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE domains (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        dkim_selector TEXT,
        dkim_private_key TEXT
      );
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        address TEXT NOT NULL UNIQUE,
        domain TEXT NOT NULL REFERENCES domains(name),
        password_hash TEXT NOT NULL,
        quota_bytes INTEGER NOT NULL DEFAULT 0,
        pop3_policy TEXT,
        created_at INTEGER NOT NULL,
        used_bytes INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX accounts_domain ON accounts(domain);
      CREATE TABLE aliases (
        source TEXT PRIMARY KEY,
        domain TEXT NOT NULL REFERENCES domains(name),
        destinations TEXT NOT NULL -- JSON array
      );
      CREATE INDEX aliases_domain ON aliases(domain);
      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        special_use TEXT,
        uid_validity INTEGER NOT NULL,
        uid_next INTEGER NOT NULL DEFAULT 1,
        highest_modseq INTEGER NOT NULL DEFAULT 1,
        recent_from INTEGER NOT NULL DEFAULT 1,
        messages INTEGER NOT NULL DEFAULT 0,
        unseen INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        UNIQUE (account_id, name)
      );
      CREATE TABLE subscriptions (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (account_id, name)
      ) WITHOUT ROWID;
      -- raw bytes stored once, shared by copies; orphans are collected when messages go
      CREATE TABLE blobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        size INTEGER NOT NULL,
        bare_lf INTEGER NOT NULL,
        date_header TEXT,
        subject TEXT,
        mime TEXT NOT NULL,          -- MimeIndex JSON
        header_fields TEXT NOT NULL, -- lower-cased "name:value" lines (SEARCH HEADER)
        header_text TEXT NOT NULL,   -- lower-cased decoded header text (SEARCH TEXT)
        body_text TEXT NOT NULL,     -- lower-cased decoded body text (SEARCH BODY/TEXT)
        raw BLOB NOT NULL
      );
      CREATE TABLE messages (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        account_id INTEGER NOT NULL,
        flags TEXT NOT NULL, -- JSON array
        seen INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        internal_date INTEGER NOT NULL,
        size INTEGER NOT NULL,
        guid TEXT NOT NULL,
        blob_id INTEGER NOT NULL REFERENCES blobs(id),
        hidden_pop3 INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE INDEX messages_blob ON messages(blob_id);
      CREATE INDEX messages_unseen ON messages(mailbox_id, uid) WHERE seen = 0;
      CREATE INDEX messages_deleted ON messages(mailbox_id, uid) WHERE deleted = 1;
      -- counters for SELECT/STATUS and quota, kept by triggers so no code path can forget them
      CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        UPDATE mailboxes SET messages = messages + 1, unseen = unseen + 1 - NEW.seen,
          deleted = deleted + NEW.deleted, size = size + NEW.size WHERE id = NEW.mailbox_id;
        UPDATE accounts SET used_bytes = used_bytes + NEW.size WHERE id = NEW.account_id;
      END;
      CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
        UPDATE mailboxes SET messages = messages - 1, unseen = unseen - 1 + OLD.seen,
          deleted = deleted - OLD.deleted, size = size - OLD.size WHERE id = OLD.mailbox_id;
        UPDATE accounts SET used_bytes = used_bytes - OLD.size WHERE id = OLD.account_id;
      END;
      CREATE TRIGGER messages_au AFTER UPDATE OF seen, deleted ON messages BEGIN
        UPDATE mailboxes SET unseen = unseen + OLD.seen - NEW.seen, deleted = deleted - OLD.deleted + NEW.deleted
          WHERE id = NEW.mailbox_id;
      END;
      CREATE TABLE expunged (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
      CREATE TABLE retained (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        blob_id INTEGER NOT NULL REFERENCES blobs(id),
        flags TEXT NOT NULL,
        internal_date INTEGER NOT NULL,
        deleted_at INTEGER NOT NULL,
        purge_after INTEGER NOT NULL,
        PRIMARY KEY (account_id, guid)
      );
      CREATE INDEX retained_blob ON retained(blob_id);
      CREATE INDEX retained_purge ON retained(purge_after);
      CREATE TABLE queue (
        id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL, -- JSON array
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        account_id INTEGER,
        warned_at INTEGER,
        size INTEGER NOT NULL,
        raw BLOB NOT NULL
      );
      CREATE INDEX queue_due ON queue(next_attempt_at);
    `,
  },
  {
    version: 2,
    name: 'change log so a server notices commits made by other processes (CLI)',
    sql: `
      CREATE TABLE change_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        writer TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        changes TEXT NOT NULL -- JSON Change[]
      );
      CREATE INDEX change_log_created ON change_log(created_at);
    `,
  },
  {
    version: 3,
    name: 'sent day (yyyymmdd of the Date: header in its own zone) per blob, for SEARCH SENT* in SQL',
    sql: `ALTER TABLE blobs ADD COLUMN sent_day INTEGER;`,
    up(db) {
      const upd = db.prepare('UPDATE blobs SET sent_day = ? WHERE id = ?');
      for (const r of db.prepare('SELECT id, date_header FROM blobs WHERE date_header IS NOT NULL').all() as Array<{
        id: number;
        date_header: string;
      }>)
        upd.run(sentDayNumber(r.date_header), r.id);
    },
  },
  {
    version: 4,
    name: 'drop blobs.header_fields: SEARCH HEADER reads header_text (searchableText) instead',
    sql: `ALTER TABLE blobs DROP COLUMN header_fields;`,
  },
  {
    version: 5,
    name: 'kv: small keyed state for features (kv-types.ts), per account (0 = server-wide)',
    sql: `
      CREATE TABLE kv (
        ns TEXT NOT NULL,
        account_id INTEGER NOT NULL, -- accounts.id, or 0 for server-wide; deleteAccount removes an account's rows
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER,
        PRIMARY KEY (ns, account_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX kv_expires ON kv(expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX kv_account ON kv(account_id);
    `,
  },
  {
    version: 6,
    name: 'blobs.sha256: content hash of the raw bytes, recorded at delivery, checked by letterbox verify',
    sql: `ALTER TABLE blobs ADD COLUMN sha256 TEXT;`,
    up(db) {
      // existing bodies are hashed now (the best that can be done for them), in slices so a
      // large store never holds more than a few bodies in memory
      const next = db.prepare('SELECT id, raw FROM blobs WHERE id > ? ORDER BY id LIMIT 64');
      const upd = db.prepare('UPDATE blobs SET sha256 = ? WHERE id = ?');
      for (let after = 0; ; ) {
        const rows = next.all(after) as Array<{ id: number; raw: Buffer }>;
        if (rows.length === 0) break;
        for (const r of rows) upd.run(contentHash(r.raw), r.id);
        after = rows[rows.length - 1]!.id;
      }
    },
  },
  {
    version: 7,
    name: 'full-text index for SEARCH BODY/TEXT (text_fts, fts_terms, fts_terms_tri: see fulltext.ts)',
    sql: FULLTEXT_SCHEMA,
    up: indexAllBlobs,
  },
  {
    version: 8,
    name: 'sort keys per blob (RFC 5256 SORT/THREAD, PREVIEW without reading bodies), in small rows of their own; older blobs get theirs on first SORT',
    sql: `
      CREATE TABLE blob_sort_keys (
        blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
        keys TEXT NOT NULL -- SortKeys JSON (../sort-types.ts)
      );
    `,
  },
  {
    version: 9,
    name: 'messages.save_date: when the message was saved into its mailbox (RFC 8514 SAVEDATE); unknown for older rows',
    sql: `ALTER TABLE messages ADD COLUMN save_date INTEGER;`,
  },
  {
    version: 10,
    name: 'fts_unindexed: blobs with more text than the full-text index takes at delivery, scanned by searches',
    sql: UNINDEXED_SCHEMA,
  },
  {
    version: 11,
    name: 'POP3-retained messages count toward the quota (accounts.used_bytes)',
    sql: `
      CREATE TRIGGER IF NOT EXISTS retained_ai AFTER INSERT ON retained BEGIN
        UPDATE accounts SET used_bytes = used_bytes + (SELECT size FROM blobs WHERE id = NEW.blob_id) WHERE id = NEW.account_id;
      END;
      CREATE TRIGGER IF NOT EXISTS retained_ad AFTER DELETE ON retained BEGIN
        UPDATE accounts SET used_bytes = used_bytes - (SELECT size FROM blobs WHERE id = OLD.blob_id) WHERE id = OLD.account_id;
      END;
      UPDATE accounts SET used_bytes = coalesce((SELECT sum(size) FROM messages WHERE account_id = accounts.id), 0)
        + coalesce((SELECT sum(b.size) FROM retained r JOIN blobs b ON b.id = r.blob_id WHERE r.account_id = accounts.id), 0);
    `,
  },
  {
    version: 12,
    name: 'work shared by several processes (lease-types.ts): queue claims with a lease, named leases',
    sql: `
      CREATE TABLE IF NOT EXISTS leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        until INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
    up(db) {
      // idempotent, like the table above: a store whose later versions are replayed keeps its columns
      const cols = new Set((db.prepare('PRAGMA table_info(queue)').all() as Array<{ name: string }>).map((c) => c.name));
      if (!cols.has('claimed_by')) db.exec('ALTER TABLE queue ADD COLUMN claimed_by TEXT');
      if (!cols.has('claim_until')) db.exec('ALTER TABLE queue ADD COLUMN claim_until INTEGER');
    },
  },
  {
    version: 13,
    name: "summaries per blob (IMAP ENVELOPE/BODYSTRUCTURE as sent, ../summary-types.ts) in small rows of their own; older blobs get theirs on first read",
    sql: `
      CREATE TABLE blob_summaries (
        blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL, -- the summarizer's version that wrote it
        summary TEXT NOT NULL
      );
    `,
  },
  {
    version: 14,
    name: 'sort keys as typed columns (blob_sort: SORT orders in SQL, THREAD reads short strings) and the preview apart (blob_preview); migration 8\'s JSON rows converted and dropped',
    sql: SORT_SCHEMA,
    up: migrateSortKeys,
  },
  {
    version: 15,
    name: "each body's own header block apart (blob_headers): FETCH BODY[HEADER.FIELDS (...)] reads small rows, not the bodies; older blobs get theirs on first read",
    sql: `
      CREATE TABLE IF NOT EXISTS blob_headers (
        blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
        header BLOB NOT NULL -- the stored bytes [0, root.bodyStart) of the MIME index
      );
    `, // (IF NOT EXISTS: a store whose earlier versions are replayed keeps the table)
  },
  {
    version: 16,
    name: 'change_log without its created_at index: old rows are pruned by id (watcher.ts pruneChangeLog), one page less written by every commit',
    sql: `DROP INDEX IF EXISTS change_log_created;`,
  },
  {
    version: 17,
    name: 'fts_state: blobs above its indexed_through mark wait for the full-text index, instead of a row each in fts_unindexed (a page less in every commit)',
    sql: FTS_STATE_SCHEMA,
  },
];

export function schemaVersion(db: Database.Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies every migration above the current version (up to `target`); returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, target = Infinity): number[] {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const current = schemaVersion(db);
  if (current > known)
    throw new StoreError(
      'TEMP',
      `the database schema is at version ${current} but this letterbox only knows up to ${known}; run a newer release or restore a backup`,
    );
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version > target) break;
    const run = db.transaction(() => {
      // re-check inside the write lock: another process may have migrated meanwhile
      if (schemaVersion(db) >= m.version) return false;
      db.exec(m.sql);
      m.up?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      return true;
    });
    if (run.immediate()) applied.push(m.version);
  }
  return applied;
}
