/**
 * Sort rows, SORT order and thread rows of the SQLite store (../sort-types.ts). The keys are
 * typed columns of blob_sort (./sort-schema.ts), one row per stored body, written with it:
 * - sortUids: SQLite orders (ORDER BY over the columns, BINARY collation = code point
 *   order) and hands back UIDs only; ARRIVAL and SIZE read the messages table alone;
 * - threadRows: the few columns threading needs;
 * - sortRows: everything, the preview (blob_preview) included, for FETCH and SAVEDATE.
 * The answers of sortUids and threadRows are kept per mailbox until its set of messages
 * changes (./sort-cache.ts), so a client sorting or threading again pays for neither query.
 */
import type Database from 'better-sqlite3';
import type { SortCriterion, SortKeyName, SortOps, SortRow, ThreadRow } from '../sort-types.js';
import type { Ctx } from './context.js';
import { mergedRanges } from '../util.js';
import { AnswerCache, stampOf } from './sort-cache.js';
import { splitRefs } from './sort-schema.js';

/** the SQL expression of each key over messages m JOIN blob_sort s */
const KEY_SQL: Record<SortKeyName, string> = {
  ARRIVAL: 'm.internal_date',
  SIZE: 'm.size',
  // RFC 5256 §2.2: INTERNALDATE when the Date: header is missing or unparsable
  DATE: 'coalesce(s.sent_date, m.internal_date)',
  SUBJECT: 's.subject',
  FROM: 's.from_addr',
  TO: 's.to_addr',
  CC: 's.cc_addr',
  DISPLAYFROM: 's.display_from',
  DISPLAYTO: 's.display_to',
};

/** the query of one list of criteria; a key given again changes nothing and is left out */
export function sortQuery(criteria: readonly SortCriterion[]): string {
  const seen = new Set<SortKeyName>();
  const order: string[] = [];
  for (const c of criteria) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    order.push(`${KEY_SQL[c.key]}${c.reverse ? ' DESC' : ''}`);
  }
  // ties in mailbox order, REVERSE or not (RFC 5256 §3)
  order.push('m.uid');
  const join = criteria.some((c) => c.key !== 'ARRIVAL' && c.key !== 'SIZE') ? ' JOIN blob_sort s ON s.blob_id = m.blob_id' : '';
  return `SELECT m.uid FROM messages m${join} WHERE m.mailbox_id = ? ORDER BY ${order.join(', ')}`;
}

type SortTuple = [
  uid: number,
  internalDate: number,
  size: number,
  saveDate: number | null,
  sentDate: number | null,
  subject: string,
  reply: number,
  from: string,
  to: string,
  cc: string,
  displayFrom: string,
  displayTo: string,
  messageId: string | null,
  refs: string,
  preview: string,
];

type ThreadTuple = [uid: number, internalDate: number, sentDate: number | null, subject: string, reply: number, messageId: string | null, refs: string];

/** prepared SORT statements kept: clients ask for a handful of orders, a hostile one for many */
const MAX_SORT_STATEMENTS = 64;
/** SORT answers kept (./sort-cache.ts): this many, holding at most this many UIDs (4 bytes each) */
const SORT_CACHE_ENTRIES = 64;
const SORT_CACHE_UIDS = 2_000_000;
/** thread rows kept: for this many mailboxes, at most this many rows (about 150 bytes each) */
const THREAD_CACHE_ENTRIES = 4;
const THREAD_CACHE_ROWS = 200_000;

export function sortOps(ctx: Ctx): SortOps {
  const { q } = ctx;
  const orders = new AnswerCache<Uint32Array>(SORT_CACHE_ENTRIES, SORT_CACHE_UIDS, (u) => u.length);
  const threads = new AnswerCache<ThreadRow[]>(THREAD_CACHE_ENTRIES, THREAD_CACHE_ROWS, (r) => r.length);
  const sorts = new Map<string, Database.Statement>();
  const sortStatement = (sql: string): Database.Statement => {
    let st = sorts.get(sql);
    if (!st) {
      st = ctx.db.prepare(sql).pluck(true);
      if (sorts.size < MAX_SORT_STATEMENTS) sorts.set(sql, st);
    }
    return st;
  };
  return {
    async sortRows(accountId, mailboxId, uids) {
      ctx.open();
      ctx.mailbox(accountId, mailboxId);
      const stmt = q(
        `SELECT m.uid, m.internal_date, m.size, m.save_date, s.sent_date, s.subject, s.reply, s.from_addr, s.to_addr, s.cc_addr,
                s.display_from, s.display_to, s.message_id, s.refs, p.preview
         FROM messages m JOIN blob_sort s ON s.blob_id = m.blob_id JOIN blob_preview p ON p.blob_id = m.blob_id
         WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
      ).raw(true);
      const out: SortRow[] = [];
      for (const [lo, hi] of mergedRanges(uids ?? [[1, Infinity]])) {
        for (const t of stmt.all(mailboxId, lo, hi) as SortTuple[]) {
          out.push({
            uid: t[0],
            internalDate: t[1],
            size: t[2],
            saveDate: t[3],
            sentDate: t[4],
            subject: t[5],
            replyOrForward: t[6] === 1,
            from: t[7],
            to: t[8],
            cc: t[9],
            displayFrom: t[10],
            displayTo: t[11],
            messageId: t[12],
            references: splitRefs(t[13]),
            preview: t[14],
          });
        }
      }
      return out;
    },

    async sortUids(accountId, mailboxId, criteria) {
      ctx.open();
      const stamp = stampOf(ctx.mailbox(accountId, mailboxId));
      const sql = sortQuery(criteria);
      const key = `${mailboxId} ${sql}`;
      const kept = orders.get(key, stamp);
      if (kept) {
        const out: number[] = new Array(kept.length);
        for (let i = 0; i < kept.length; i++) out[i] = kept[i]!; // (Array.from iterates: 5x slower)
        return out;
      }
      const uids = sortStatement(sql).all(mailboxId) as number[];
      orders.set(key, stamp, Uint32Array.from(uids));
      return uids;
    },

    async threadRows(accountId, mailboxId) {
      ctx.open();
      const stamp = stampOf(ctx.mailbox(accountId, mailboxId));
      const kept = threads.get(String(mailboxId), stamp);
      if (kept) return kept.slice();
      const rows = q(
        `SELECT m.uid, m.internal_date, s.sent_date, s.subject, s.reply, s.message_id, s.refs
         FROM messages m JOIN blob_sort s ON s.blob_id = m.blob_id WHERE m.mailbox_id = ? ORDER BY m.uid`,
      )
        .raw(true)
        .all(mailboxId) as ThreadTuple[];
      // one string per distinct subject and id: a thread's messages repeat them (a third of the memory)
      const strings = new Map<string, string>();
      const intern = (x: string): string => {
        const y = strings.get(x);
        if (y !== undefined) return y;
        strings.set(x, x);
        return x;
      };
      const noRefs: string[] = [];
      const out: ThreadRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const t = rows[i]!;
        out[i] = {
          uid: t[0],
          internalDate: t[1],
          sentDate: t[2],
          subject: intern(t[3]),
          replyOrForward: t[4] === 1,
          messageId: t[5] === null ? null : intern(t[5]),
          references: t[6] ? t[6].split(' ').map(intern) : noRefs,
        };
      }
      threads.set(String(mailboxId), stamp, out);
      return out.slice();
    },
  };
}
