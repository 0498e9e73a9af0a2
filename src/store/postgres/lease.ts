/**
 * Queue claims and leases of the PostgreSQL store (../lease-types.ts): every node runs the
 * queue; a claim is one UPDATE over the due rows picked FOR UPDATE SKIP LOCKED, so two
 * nodes claiming at once take different items and never wait for each other.
 */
import type { LeaseOps } from '../lease-types.js';
import type { PgCtx } from './context.js';
import { QUEUE_COLS, toQueueItem, type QueueRow } from './queue.js';

export function leaseOps(ctx: PgCtx): LeaseOps {
  return {
    async claimQueueItems(now, limit, holder, leaseMs) {
      const t = now.getTime();
      const rows = await ctx.tx(
        async (db) => ({
          value: await db.q<QueueRow>(
            `UPDATE queue q SET claimed_by = $1, claim_until = $2
             FROM (SELECT id FROM queue WHERE next_attempt_at <= $3 AND (claim_until IS NULL OR claim_until <= $3)
                   ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) d
             WHERE q.id = d.id RETURNING ${QUEUE_COLS.split(', ').map((c) => `q.${c}`).join(', ')}`,
            [holder, t + leaseMs, t, limit],
          ),
          changes: [],
        }),
        { durable: false },
      );
      return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at).map(toQueueItem);
    },
    async releaseQueueItems(ids, holder) {
      await ctx.tx(
        async (db) => {
          await db.q('UPDATE queue SET claimed_by = NULL, claim_until = NULL WHERE id = ANY($1::text[]) AND claimed_by = $2', [ids, holder]);
          return { value: undefined, changes: [] };
        },
        { durable: false },
      );
    },
    async acquireLease(name, holder, ttlMs) {
      const now = Date.now();
      const rows = await ctx.q(
        `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.holder = excluded.holder OR leases.until <= $4 RETURNING 1`,
        [name, holder, now + ttlMs, now],
      );
      return rows.length > 0;
    },
    async releaseLease(name, holder) {
      const rows = await ctx.q<{ until: number }>('DELETE FROM leases WHERE name = $1 AND holder = $2 RETURNING until', [name, holder]);
      return rows.length > 0 && rows[0]!.until > Date.now();
    },
  };
}
