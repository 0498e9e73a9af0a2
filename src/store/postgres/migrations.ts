/**
 * Versioned schema of the PostgreSQL store, applied like SQLite's (../sqlite/migrations.ts):
 * each version runs once, in one transaction together with its row in schema_migrations,
 * under an advisory lock so several nodes starting at once never race. Append new entries;
 * never edit an applied one.
 *
 * Every table that holds an account's data has `account_id` as the first column of its
 * primary key, so the schema can be distributed by account with Citus (the calls are in
 * README.md, "PostgreSQL"): accounts, mailboxes, subscriptions, messages, blobs, expunged,
 * retained and kv are co-located by account_id; domains, aliases and meta are small
 * reference tables; the outbound queue and leases stay on the coordinator (claimed
 * with FOR UPDATE SKIP LOCKED / ON CONFLICT by every node).
 *
 * Bodies: in the database, content-addressed per account (blobs keyed by account_id and the
 * SHA-256 of the bytes). COPY, MOVE, POP3 retention and a re-APPEND of the same bytes share
 * one row; a delivery to several local accounts stores one row per account, so a body never
 * lives on another account's shard and deleting an account deletes exactly its bytes.
 */
import type pg from 'pg';
import { StoreError } from '../types.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial schema: domains, accounts, aliases, mailboxes, messages, blobs, expunge log, POP3 retention, queue, keyed state',
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE domains (
        name text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL,
        dkim_selector text,
        dkim_private_key text
      );
      CREATE TABLE accounts (
        id bigserial PRIMARY KEY,
        address text COLLATE "C" NOT NULL UNIQUE,
        domain text NOT NULL REFERENCES domains(name),
        password_hash text NOT NULL,
        quota_bytes bigint NOT NULL DEFAULT 0,
        pop3_policy text,
        created_at bigint NOT NULL
      );
      CREATE INDEX accounts_domain ON accounts(domain);
      CREATE TABLE aliases (
        source text COLLATE "C" PRIMARY KEY,
        domain text NOT NULL REFERENCES domains(name),
        destinations text[] NOT NULL
      );
      CREATE INDEX aliases_domain ON aliases(domain);
      CREATE TABLE mailboxes (
        account_id bigint NOT NULL,
        id bigserial NOT NULL,
        name text COLLATE "C" NOT NULL,
        special_use text,
        uid_validity bigint NOT NULL,
        uid_next bigint NOT NULL DEFAULT 1,
        highest_modseq bigint NOT NULL DEFAULT 1,
        recent_from bigint NOT NULL DEFAULT 1,
        messages bigint NOT NULL DEFAULT 0,
        unseen bigint NOT NULL DEFAULT 0,
        deleted bigint NOT NULL DEFAULT 0,
        size bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, id),
        UNIQUE (account_id, name)
      );
      CREATE UNIQUE INDEX mailboxes_id ON mailboxes(id);
      CREATE TABLE subscriptions (
        account_id bigint NOT NULL,
        name text COLLATE "C" NOT NULL,
        PRIMARY KEY (account_id, name)
      );
      CREATE TABLE blobs (
        account_id bigint NOT NULL,
        hash bytea NOT NULL,
        size bigint NOT NULL,
        bare_lf bigint NOT NULL,
        date_header text,
        sent_day integer,
        subject text,
        mime text NOT NULL,
        header_text text NOT NULL,
        body_text text NOT NULL,
        raw bytea NOT NULL,
        PRIMARY KEY (account_id, hash)
      );
      CREATE TABLE messages (
        account_id bigint NOT NULL,
        mailbox_id bigint NOT NULL,
        uid bigint NOT NULL,
        modseq bigint NOT NULL,
        flags text[] NOT NULL,
        seen boolean NOT NULL,
        deleted boolean NOT NULL,
        internal_date bigint NOT NULL,
        size bigint NOT NULL,
        guid text COLLATE "C" NOT NULL,
        blob_hash bytea NOT NULL,
        hidden_pop3 boolean NOT NULL DEFAULT false,
        PRIMARY KEY (account_id, mailbox_id, uid)
      );
      CREATE INDEX messages_blob ON messages(account_id, blob_hash);
      CREATE INDEX messages_modseq ON messages(account_id, mailbox_id, modseq);
      CREATE INDEX messages_unseen ON messages(account_id, mailbox_id, uid) WHERE NOT seen;
      CREATE INDEX messages_deleted ON messages(account_id, mailbox_id, uid) WHERE deleted;
      CREATE TABLE expunged (
        account_id bigint NOT NULL,
        mailbox_id bigint NOT NULL,
        uid bigint NOT NULL,
        modseq bigint NOT NULL,
        PRIMARY KEY (account_id, mailbox_id, uid)
      );
      CREATE INDEX expunged_modseq ON expunged(account_id, mailbox_id, modseq);
      CREATE TABLE retained (
        account_id bigint NOT NULL,
        guid text COLLATE "C" NOT NULL,
        blob_hash bytea NOT NULL,
        flags text[] NOT NULL,
        internal_date bigint NOT NULL,
        deleted_at bigint NOT NULL,
        purge_after bigint NOT NULL,
        PRIMARY KEY (account_id, guid)
      );
      CREATE INDEX retained_blob ON retained(account_id, blob_hash);
      CREATE INDEX retained_purge ON retained(purge_after);
      CREATE TABLE queue (
        id text PRIMARY KEY,
        sender text NOT NULL,
        recipients text[] NOT NULL,
        created_at bigint NOT NULL,
        next_attempt_at bigint NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        account_id bigint,
        warned_at bigint,
        size bigint NOT NULL,
        raw bytea NOT NULL,
        claimed_by text,
        claim_until bigint
      );
      CREATE INDEX queue_due ON queue(next_attempt_at);
      CREATE TABLE kv (
        account_id bigint NOT NULL, -- accounts.id, or 0 for server-wide
        ns text NOT NULL,
        key text COLLATE "C" NOT NULL,
        value text NOT NULL,
        updated_at bigint NOT NULL,
        expires_at bigint,
        PRIMARY KEY (account_id, ns, key)
      );
      CREATE INDEX kv_expires ON kv(expires_at) WHERE expires_at IS NOT NULL;

      -- counters for SELECT/STATUS and quota, kept by triggers so no code path can forget them
      CREATE FUNCTION lb_messages_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE mailboxes SET messages = messages + 1, unseen = unseen + (NOT NEW.seen)::int,
            deleted = deleted + NEW.deleted::int, size = size + NEW.size
            WHERE account_id = NEW.account_id AND id = NEW.mailbox_id;
        ELSIF TG_OP = 'DELETE' THEN
          UPDATE mailboxes SET messages = messages - 1, unseen = unseen - (NOT OLD.seen)::int,
            deleted = deleted - OLD.deleted::int, size = size - OLD.size
            WHERE account_id = OLD.account_id AND id = OLD.mailbox_id;
        ELSIF NEW.seen IS DISTINCT FROM OLD.seen OR NEW.deleted IS DISTINCT FROM OLD.deleted THEN
          UPDATE mailboxes SET unseen = unseen + (NOT NEW.seen)::int - (NOT OLD.seen)::int,
            deleted = deleted + NEW.deleted::int - OLD.deleted::int
            WHERE account_id = NEW.account_id AND id = NEW.mailbox_id;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER messages_count AFTER INSERT OR DELETE OR UPDATE OF seen, deleted ON messages
        FOR EACH ROW EXECUTE FUNCTION lb_messages_count();
    `,
  },
  {
    version: 2,
    name: 'named leases (lease-types.ts): POP3 maildrop locks and other exclusive work across nodes',
    sql: `
      CREATE TABLE leases (
        name text COLLATE "C" PRIMARY KEY,
        holder text NOT NULL,
        until bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'sort keys per body (RFC 5256 SORT/THREAD, PREVIEW without reading bodies; older bodies get theirs on first SORT) and messages.save_date (RFC 8514 SAVEDATE; unknown for older rows)',
    sql: `
      ALTER TABLE blobs ADD COLUMN sort_keys text; -- SortKeys JSON (../sort-types.ts)
      ALTER TABLE messages ADD COLUMN save_date bigint;
    `,
  },
];

/** a fixed key for pg_advisory_xact_lock while migrating ("lbmigr") */
const MIGRATION_LOCK = 0x6c626d696772;

/** Applies every migration above the current version; returns the versions applied. */
export async function migratePg(pool: pg.Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
        const cur = Number((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0].v);
        if (cur > known)
          throw new StoreError(
            'TEMP',
            `the database schema is at version ${cur} but this letterbox only knows up to ${known}; run a newer release or restore a backup`,
          );
        if (cur >= m.version) {
          await client.query('COMMIT');
          continue;
        }
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
