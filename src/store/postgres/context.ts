/**
 * Shared state of one open PostgreSQL store: the pool, the transaction runner and the
 * lookups every part needs. Ownership checks live here: a mailbox is only found together
 * with its account id, so a foreign MailboxId is NONEXISTENT on every path.
 *
 * Locking (deadlock-free by construction): a mutation that touches messages, blobs or quota
 * first takes its account's advisory lock (pg_advisory_xact_lock), then mailbox rows;
 * flag changes and \Recent take only their mailbox row (UPDATE … RETURNING). So
 * allocation of UIDs and MODSEQs is atomic per mailbox and quota checks see every
 * concurrent append of the account, on any number of nodes.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { StoreError, type Account, type AccountId, type Change, type MailboxId, type MailboxInfo, type SpecialUse } from '../types.js';
import { nextUidValidity } from '../util.js';

export interface AccountRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  quota_bytes: number;
  pop3_policy: string | null;
  created_at: number;
}

export interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  recent_from: number;
  messages: number;
  unseen: number;
  deleted: number;
  size: number;
  /** whether the account subscribes to the name, when the query that read the row asked (SUBSCRIBED below); else info() looks it up */
  subscribed?: boolean;
}

/** a select-list column that reads MailboxRow.subscribed with the row of mailboxes `m` */
export const SUBSCRIBED = 'EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = m.account_id AND s.name = m.name) AS subscribed';

/** something that runs one query: the pool or a transaction's client */
export interface Db {
  q<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface JobResult<T> {
  value: T;
  changes: Change[];
}

export interface PgCtx extends Db {
  pool: pg.Pool;
  log?: Logger;
  closed: boolean;
  open(): void;
  /**
   * One transaction: `fn` runs on a dedicated client; its changes are sent with NOTIFY in
   * the same transaction (delivered at commit, in commit order) and published here after
   * the commit. `durable: false` (flags, \Recent, counters) commits without waiting for the
   * WAL flush: a crash of letterbox loses nothing, a crash of PostgreSQL's machine may lose
   * the last such changes (as SQLite's NORMAL commits). Deadlocks and serialization
   * failures are retried.
   */
  tx<T>(fn: (db: Db) => Promise<JobResult<T>>, opts?: { durable?: boolean }): Promise<T>;
  account(db: Db, id: AccountId): Promise<AccountRow>;
  lockAccount(db: Db, id: AccountId): Promise<AccountRow>;
  mailbox(db: Db, accountId: AccountId, mailboxId: MailboxId, forUpdate?: boolean): Promise<MailboxRow>;
  mailboxByName(db: Db, accountId: AccountId, name: string): Promise<MailboxRow | undefined>;
  info(db: Db, row: MailboxRow): Promise<MailboxInfo>;
  insertMailbox(db: Db, accountId: AccountId, name: string, specialUse: SpecialUse | null): Promise<MailboxRow>;
  /** deletes the account's blobs that no message or retained row references (among `hashes`) */
  collectBlobs(db: Db, accountId: AccountId, hashes: Buffer[]): Promise<void>;
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    address: r.address,
    passwordHash: r.password_hash,
    quotaBytes: r.quota_bytes,
    pop3Policy: r.pop3_policy as Account['pop3Policy'],
    createdAt: new Date(r.created_at),
  };
}

/** bigint and bigint[] as JS numbers (every id, UID, MODSEQ and size fits in 2^53) */
const int8 = (v: string) => Number(v);
const int8Array = pg.types.getTypeParser(1016 as never) as unknown as (v: string) => string[];
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20) return int8;
    if (oid === 1016) return (v: string) => int8Array(v).map(Number);
    return pg.types.getTypeParser(oid as never, format as never);
  }) as unknown as typeof pg.types.getTypeParser,
};

const RETRYABLE = new Set(['40001', '40P01']);
/** connection-level failures: the store is unavailable, not the request wrong */
function unavailable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return /^(08|57P|53)/.test(code) || /ECONNREFUSED|ENOENT|ECONNRESET|EPIPE|Connection terminated|timeout/i.test((err as Error).message ?? '');
}

export function asStoreError(err: unknown, log?: Logger): StoreError {
  if (err instanceof StoreError) return err;
  if (unavailable(err)) return new StoreError('TEMP', `the PostgreSQL store is unavailable: ${(err as Error).message}`);
  log?.error({ err }, 'store: a PostgreSQL statement failed unexpectedly');
  return new StoreError('TEMP', `store error: ${(err as Error).message}`);
}

/** what counts toward an account's quota: its messages (each copy) and its POP3-retained messages */
export async function usedBytes(db: Db, accountId: AccountId): Promise<number> {
  const [r] = await db.q<{ n: number }>(
    `SELECT ((SELECT coalesce(sum(size), 0) FROM mailboxes WHERE account_id = $1)
           + (SELECT coalesce(sum(b.size), 0) FROM retained r JOIN blobs b ON b.account_id = r.account_id AND b.hash = r.blob_hash
              WHERE r.account_id = $1))::bigint AS n`,
    [accountId],
  );
  return r!.n;
}

export const LOCK_ACCOUNT = 1;

export function createPgCtx(
  pool: pg.Pool,
  notify: (changes: Change[]) => string[],
  publish: (changes: Change[]) => void,
  log?: Logger,
): PgCtx {
  const names = new Map<string, string>();
  /** named (prepared once per connection) statements for every query text */
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<T[]> => {
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `lb${names.size}`));
    const r = await client.query({ name, text: sql, values: params });
    return r.rows as T[];
  };

  const ctx: PgCtx = {
    pool,
    log,
    closed: false,
    open() {
      if (ctx.closed) throw new StoreError('TEMP', 'the store is closed');
    },
    async q<T>(sql: string, params?: unknown[]) {
      ctx.open();
      try {
        return await run<T>(pool, sql, params);
      } catch (err) {
        throw asStoreError(err, log);
      }
    },
    async tx(fn, opts) {
      ctx.open();
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (err) {
          throw asStoreError(err, log);
        }
        const db: Db = { q: (sql, params) => run(client, sql, params) };
        let broken: unknown = null;
        try {
          await client.query(opts?.durable === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
          const r = await fn(db);
          for (const payload of r.changes.length ? notify(r.changes) : []) await run(client, "SELECT pg_notify('letterbox_changes', $1)", [payload]);
          await client.query('COMMIT');
          client.release();
          if (r.changes.length) publish(r.changes);
          return r.value;
        } catch (err) {
          await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
          client.release(broken ? (broken as Error) : undefined);
          const code = (err as { code?: string }).code ?? '';
          if (RETRYABLE.has(code) && attempt < 5) continue;
          if (code === '23505' && attempt < 3 && !(err instanceof StoreError)) continue; // a concurrent insert won: re-check
          throw asStoreError(err, log);
        }
      }
    },
    async account(db, id) {
      const [r] = await db.q<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
      if (!r) throw new StoreError('NONEXISTENT', `account ${id} does not exist`);
      return r;
    },
    async lockAccount(db, id) {
      await db.q('SELECT pg_advisory_xact_lock($1, $2::int)', [LOCK_ACCOUNT, id]);
      return ctx.account(db, id);
    },
    async mailbox(db, accountId, mailboxId, forUpdate = false) {
      const [r] = await db.q<MailboxRow>(
        `SELECT * FROM mailboxes WHERE account_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
        [accountId, mailboxId],
      );
      if (!r) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      return r;
    },
    async mailboxByName(db, accountId, name) {
      const [r] = await db.q<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2', [accountId, name]);
      return r;
    },
    async info(db, r) {
      const subscribed = r.subscribed ?? (await db.q('SELECT 1 FROM subscriptions WHERE account_id = $1 AND name = $2', [r.account_id, r.name])).length > 0;
      return {
        id: r.id,
        accountId: r.account_id,
        name: r.name,
        specialUse: r.special_use as SpecialUse | null,
        subscribed,
        uidValidity: r.uid_validity,
        uidNext: r.uid_next,
        highestModseq: r.highest_modseq,
      };
    },
    async insertMailbox(db, accountId, name, specialUse) {
      // UIDVALIDITY strictly ascends across the whole store: one row, updated atomically
      const [last] = await db.q<{ value: string }>(
        `INSERT INTO meta (key, value) VALUES ('last_uidvalidity', $1)
         ON CONFLICT (key) DO UPDATE SET value = greatest(meta.value::bigint + 1, $1::bigint)::text RETURNING value`,
        [String(nextUidValidity(0))],
      );
      let v = Number(last!.value);
      if (v > 0xffffffff) {
        v = 1;
        await db.q(`UPDATE meta SET value = '1' WHERE key = 'last_uidvalidity'`);
      }
      const [r] = await db.q<MailboxRow>(
        'INSERT INTO mailboxes (account_id, name, special_use, uid_validity) VALUES ($1, $2, $3, $4) RETURNING *',
        [accountId, name, specialUse, v],
      );
      return r!;
    },
    async collectBlobs(db, accountId, hashes) {
      if (hashes.length === 0) return;
      await db.q(
        `DELETE FROM blobs b WHERE b.account_id = $1 AND b.hash = ANY($2::bytea[])
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.blob_hash = b.hash)
         AND NOT EXISTS (SELECT 1 FROM retained r WHERE r.account_id = b.account_id AND r.blob_hash = b.hash)`,
        [accountId, hashes],
      );
    },
  };
  return ctx;
}
