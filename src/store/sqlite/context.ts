/**
 * Shared state of one open SQLite store: the connection, a prepared-statement cache,
 * the group committer and the lookups every part (admin, mailboxes, messages, pop3,
 * queue) needs. Ownership checks live here: a mailbox is only found together with
 * its account id, so a foreign MailboxId is NONEXISTENT on every path.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError, type Account, type AccountId, type MailboxId, type MailboxInfo, type SpecialUse } from '../types.js';
import { nextUidValidity } from '../util.js';
import type { Committer, JobResult } from './committer.js';
import { registerSearchFunctions } from './search-sql.js';
import { createFullText, type FullText } from './fulltext.js';
import type { FtsQueue } from './fts-queue.js';
import { FlagCache } from './flag-cache.js';
import type { Summarizer } from '../summary-types.js';

export interface AccountRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  quota_bytes: number;
  pop3_policy: string | null;
  created_at: number;
  used_bytes: number;
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
  /**
   * 1 when the account subscribes to the mailbox's name, when the query that read the row
   * asked (SUBSCRIBED below); else absent and info() looks it up
   */
  subscribed?: number;
}

/** a select-list column that reads MailboxRow.subscribed with the row of mailboxes `m` */
export const SUBSCRIBED = 'EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = m.account_id AND s.name = m.name) AS subscribed';

export interface Ctx {
  db: Database.Database;
  log?: Logger;
  /** prepared statement for this SQL (cached, at most STATEMENT_CACHE_SIZE, least recently used dropped) */
  q(sql: string): Database.Statement;
  /** statements in the cache (tests, metrics) */
  statements(): number;
  /** one group-committed transaction; `durable: false` only for flag-only changes and upkeep (committer.ts) */
  mutate<T>(fn: () => JobResult<T>, opts?: { durable?: boolean; background?: boolean }): Promise<T>;
  open(): void;
  account(id: AccountId): AccountRow;
  mailbox(accountId: AccountId, mailboxId: MailboxId): MailboxRow;
  mailboxByName(accountId: AccountId, name: string): MailboxRow | undefined;
  info(row: MailboxRow): MailboxInfo;
  /** inserts a mailbox row with a fresh UIDVALIDITY */
  insertMailbox(accountId: AccountId, name: string, specialUse: SpecialUse | null): MailboxRow;
  /** UID sets referenced by lb_uidset() during a search (search-sql.ts) */
  uidSets: Map<number, Array<[number, number]>>;
  /** the SEARCH BODY/TEXT index (fulltext.ts) */
  fulltext: FullText;
  /** indexes new blobs after their commit (fts-queue.ts); absent on a read-only store */
  ftsQueue?: FtsQueue;
  /** the protocol's summary of each stored message (../summary-types.ts), when the store was given one */
  summarizer?: Summarizer;
  /** UID/MODSEQ/flags of recently read mailboxes, kept current by every commit (flag-cache.ts) */
  flagCache: FlagCache;
  /** deletes blobs no message or retained row references (among `ids`, or all when omitted) */
  collectBlobs(ids?: Iterable<number>): void;
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

/** prepared statements kept (the fixed ones number about a hundred) */
export const STATEMENT_CACHE_SIZE = 500;

export function createCtx(db: Database.Database, committer: () => Committer, log?: Logger): Ctx & { closed: boolean } {
  // least recently used first: SEARCH compiles one SQL text per query shape, and a client
  // sending endless shapes must not grow the cache without bound (about 38 MB per 1,000)
  const cache = new Map<string, Database.Statement>();
  const q = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (s) {
      cache.delete(sql);
      cache.set(sql, s);
      return s;
    }
    cache.set(sql, (s = db.prepare(sql)));
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return s;
  };
  const ctx: Ctx & { closed: boolean } = {
    db,
    uidSets: registerSearchFunctions(db),
    fulltext: createFullText(q, () => ctx.ftsQueue?.added()),
    flagCache: new FlagCache(),
    log,
    closed: false,
    q,
    statements: () => cache.size,
    mutate(fn, opts) {
      ctx.open();
      return committer().submit(fn, opts);
    },
    open() {
      if (ctx.closed) throw new StoreError('TEMP', 'the store is closed');
    },
    account(id) {
      ctx.open();
      const r = q('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
      if (!r) throw new StoreError('NONEXISTENT', `account ${id} does not exist`);
      return r;
    },
    mailbox(accountId, mailboxId) {
      ctx.open();
      const r = q('SELECT * FROM mailboxes WHERE id = ? AND account_id = ?').get(mailboxId, accountId) as MailboxRow | undefined;
      if (!r) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      return r;
    },
    mailboxByName(accountId, name) {
      return q('SELECT * FROM mailboxes WHERE account_id = ? AND name = ?').get(accountId, name) as MailboxRow | undefined;
    },
    info(r) {
      const sub = r.subscribed ?? q('SELECT 1 FROM subscriptions WHERE account_id = ? AND name = ?').get(r.account_id, r.name);
      return {
        id: r.id,
        accountId: r.account_id,
        name: r.name,
        specialUse: r.special_use as SpecialUse | null,
        subscribed: !!sub,
        uidValidity: r.uid_validity,
        uidNext: r.uid_next,
        highestModseq: r.highest_modseq,
      };
    },
    insertMailbox(accountId, name, specialUse) {
      const last = q("SELECT value FROM meta WHERE key = 'last_uidvalidity'").get() as { value: string } | undefined;
      const v = nextUidValidity(last ? Number(last.value) : 0);
      q("INSERT INTO meta (key, value) VALUES ('last_uidvalidity', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(v));
      const id = Number(
        q('INSERT INTO mailboxes (account_id, name, special_use, uid_validity) VALUES (?, ?, ?, ?)').run(accountId, name, specialUse, v)
          .lastInsertRowid,
      );
      return q('SELECT * FROM mailboxes WHERE id = ?').get(id) as MailboxRow;
    },
    collectBlobs(ids) {
      const orphan =
        'NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = blobs.id) AND NOT EXISTS (SELECT 1 FROM retained WHERE blob_id = blobs.id)';
      if (!ids) {
        q(`DELETE FROM blobs WHERE ${orphan}`).run();
        return;
      }
      const del = q(`DELETE FROM blobs WHERE id = ? AND ${orphan}`);
      for (const id of new Set(ids)) del.run(id);
    },
  };
  return ctx;
}
