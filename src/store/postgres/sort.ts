/**
 * Sort rows of the PostgreSQL store (../sort-types.ts). The keys are computed when a body is
 * stored (../sqlite/rows.ts prepareFields) and kept as JSON in blobs.sort_keys, a small
 * column read without the body (large bodies live out of line, in TOAST); bodies stored
 * before migration 3 get theirs computed once, on their first SORT.
 * SORT by ARRIVAL / SIZE orders in SQL over the messages rows; the other keys order the
 * sort rows with the shared ../sort-order.ts (typed key columns as SQLite's blob_sort
 * would let PostgreSQL order those too).
 */
import type { MimeIndex } from '../../mime/types.js';
import { computeSortKeys } from '../sort-keys.js';
import { orderRows } from '../sort-order.js';
import type { SortKeys, SortOps, SortRow } from '../sort-types.js';
import { mergedRanges } from '../util.js';
import type { PgCtx } from './context.js';

interface Row {
  uid: number;
  internal_date: number;
  size: number;
  blob_hash: Buffer;
  sort_keys: string | null;
  save_date: number | null;
}

export function sortOps(ctx: PgCtx): SortOps {
  const ops: SortOps = {
    async sortUids(accountId, mailboxId, criteria) {
      if (!criteria.every((c) => c.key === 'ARRIVAL' || c.key === 'SIZE')) return orderRows(await ops.sortRows(accountId, mailboxId), criteria);
      await ctx.mailbox(ctx, accountId, mailboxId);
      const order = criteria.map((c) => `${c.key === 'ARRIVAL' ? 'internal_date' : 'size'}${c.reverse ? ' DESC' : ''}`);
      const rows = await ctx.q<{ uid: number }>(
        `SELECT uid FROM messages WHERE account_id = $1 AND mailbox_id = $2 ORDER BY ${[...order, 'uid'].join(', ')}`,
        [accountId, mailboxId],
      );
      return rows.map((r) => r.uid);
    },
    threadRows: (accountId, mailboxId) => ops.sortRows(accountId, mailboxId),
    async sortRows(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      const ranges = mergedRanges(uids ?? [[1, Infinity]]);
      if (ranges.length === 0) return [];
      const rows = await ctx.q<Row>(
        `SELECT m.uid, m.internal_date, m.size, m.blob_hash, b.sort_keys, m.save_date
         FROM messages m JOIN unnest($3::bigint[], $4::bigint[]) AS r(lo, hi) ON m.uid BETWEEN r.lo AND r.hi
         JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash
         WHERE m.account_id = $1 AND m.mailbox_id = $2 ORDER BY m.uid`,
        [accountId, mailboxId, ranges.map((r) => r[0]), ranges.map((r) => r[1])],
      );
      const missing = new Map<string, { hash: Buffer; keys: SortKeys }>();
      const out: SortRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        let row: SortRow;
        if (r.sort_keys) row = JSON.parse(r.sort_keys) as SortRow;
        else {
          const hex = r.blob_hash.toString('hex');
          let m = missing.get(hex);
          if (!m) missing.set(hex, (m = { hash: r.blob_hash, keys: await backfill(ctx, accountId, r.blob_hash) }));
          row = { ...m.keys } as SortRow;
        }
        // the parsed object becomes the row (no copy: SORT of a large mailbox reads many)
        row.uid = r.uid;
        row.internalDate = r.internal_date;
        row.size = r.size;
        row.saveDate = r.save_date;
        out[i] = row;
      }
      if (missing.size) {
        const list = [...missing.values()];
        await ctx.q(
          `UPDATE blobs b SET sort_keys = x.k FROM unnest($2::bytea[], $3::text[]) AS x(h, k)
           WHERE b.account_id = $1 AND b.hash = x.h AND b.sort_keys IS NULL`,
          [accountId, list.map((m) => m.hash), list.map((m) => JSON.stringify(m.keys))],
        );
      }
      return out;
    },
  };
  return ops;
}

async function backfill(ctx: PgCtx, accountId: number, hash: Buffer): Promise<SortKeys> {
  const [r] = await ctx.q<{ raw: Buffer; mime: string }>('SELECT raw, mime FROM blobs WHERE account_id = $1 AND hash = $2', [accountId, hash]);
  return computeSortKeys(r!.raw, JSON.parse(r!.mime) as MimeIndex);
}
