/**
 * Sort rows of the SQLite store (../sort-types.ts). The keys are computed when a body is
 * stored (rows.ts prepareFields, in the parse workers) and kept as JSON in blob_sort_keys, a
 * table of small rows (a column at the end of a blobs row made SQLite walk the whole message
 * to reach it); bodies stored before it existed get theirs computed once, on their first SORT.
 */
import type { MimeIndex } from '../../mime/types.js';
import { computeSortKeys } from '../sort-keys.js';
import type { SortKeys, SortOps, SortRow } from '../sort-types.js';
import type { Ctx } from './context.js';
import { mergedRanges } from '../util.js';

type Tuple = [uid: number, internalDate: number, size: number, blobId: number, keys: string | null, saveDate: number | null];

export function sortOps(ctx: Ctx): SortOps {
  const { q } = ctx;
  return {
    async sortRows(accountId, mailboxId, uids) {
      ctx.open();
      ctx.mailbox(accountId, mailboxId);
      const stmt = q(
        `SELECT m.uid, m.internal_date, m.size, m.blob_id, k.keys, m.save_date FROM messages m LEFT JOIN blob_sort_keys k ON k.blob_id = m.blob_id
         WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
      ).raw(true);
      const rows: Tuple[] = [];
      for (const [lo, hi] of mergedRanges(uids ?? [[1, Infinity]])) for (const t of stmt.all(mailboxId, lo, hi) as Tuple[]) rows.push(t);
      const missing = new Map<number, SortKeys>();
      const out: SortRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [uid, internalDate, size, blobId, json, saveDate] = rows[i]!;
        let row: SortRow;
        if (json) row = JSON.parse(json) as SortRow;
        else {
          const keys = missing.get(blobId) ?? backfill(ctx, blobId);
          missing.set(blobId, keys);
          row = { ...keys } as SortRow;
        }
        // the parsed object becomes the row (no copy: SORT of a large mailbox reads many)
        row.uid = uid;
        row.internalDate = internalDate;
        row.size = size;
        row.saveDate = saveDate;
        out[i] = row;
      }
      if (missing.size) {
        await ctx.mutate(
          () => {
            const upd = q('INSERT OR REPLACE INTO blob_sort_keys (blob_id, keys) VALUES (?, ?)');
            for (const [id, k] of missing) upd.run(id, JSON.stringify(k));
            return { value: undefined, changes: [] };
          },
          { durable: false },
        );
      }
      return out;
    },
  };
}

function backfill(ctx: Ctx, blobId: number): SortKeys {
  const r = ctx.q('SELECT raw, mime FROM blobs WHERE id = ?').get(blobId) as { raw: Buffer; mime: string };
  return computeSortKeys(r.raw, JSON.parse(r.mime) as MimeIndex);
}
