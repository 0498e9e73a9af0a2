/**
 * Queue claims and leases of the SQLite store (../lease-types.ts). Every claim runs in a
 * write transaction (the committer's IMMEDIATE transaction), so processes sharing the file
 * (`serve --workers N`, the CLI) never claim the same item.
 */
import type { LeaseOps } from '../lease-types.js';
import type { Ctx } from './context.js';
import { QUEUE_COLS, toQueueItem, type QueueRow } from './queue.js';

export function leaseOps(ctx: Ctx): LeaseOps {
  const { q } = ctx;
  return {
    async claimQueueItems(now, limit, holder, leaseMs) {
      return ctx.mutate(
        () => {
          const t = now.getTime();
          const rows = q(
            `SELECT ${QUEUE_COLS} FROM queue WHERE next_attempt_at <= ? AND (claim_until IS NULL OR claim_until <= ?)
             ORDER BY next_attempt_at LIMIT ?`,
          ).all(t, t, limit) as QueueRow[];
          const claim = q('UPDATE queue SET claimed_by = ?, claim_until = ? WHERE id = ?');
          for (const r of rows) claim.run(holder, t + leaseMs, r.id);
          return { value: rows.map(toQueueItem), changes: [] };
        },
        { durable: false },
      );
    },
    async releaseQueueItems(ids, holder) {
      return ctx.mutate(
        () => {
          const release = q('UPDATE queue SET claimed_by = NULL, claim_until = NULL WHERE id = ? AND claimed_by = ?');
          for (const id of ids) release.run(id, holder);
          return { value: undefined, changes: [] };
        },
        { durable: false },
      );
    },
    async acquireLease(name, holder, ttlMs) {
      return ctx.mutate(
        () => {
          const now = Date.now();
          const r = q(
            `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE leases.holder = excluded.holder OR leases.until <= ?`,
          ).run(name, holder, now + ttlMs, now);
          return { value: r.changes > 0, changes: [] };
        },
        { durable: false },
      );
    },
    async releaseLease(name, holder) {
      return ctx.mutate(
        () => {
          const r = q('SELECT until FROM leases WHERE name = ? AND holder = ?').get(name, holder) as { until: number } | undefined;
          if (r) q('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
          return { value: !!r && r.until > Date.now(), changes: [] };
        },
        { durable: false },
      );
    },
  };
}
