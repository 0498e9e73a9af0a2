/** Outbound queue of the PostgreSQL store (issue #5): items with their raw message, shared by every node. */
import { randomBytes } from 'node:crypto';
import { StoreError, type QueueItem } from '../types.js';
import type { PgCtx } from './context.js';
import type { QueueOps } from '../ops.js';

export interface QueueRow {
  id: string;
  sender: string;
  recipients: string[];
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  account_id: number | null;
  warned_at: number | null;
  size: number;
}

export const QUEUE_COLS = 'id, sender, recipients, created_at, next_attempt_at, attempts, last_error, account_id, warned_at, size';

export const toQueueItem = (r: QueueRow): QueueItem => ({
  id: r.id,
  from: r.sender,
  recipients: r.recipients,
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
  attempts: r.attempts,
  lastError: r.last_error,
  accountId: r.account_id,
  warnedAt: r.warned_at === null ? null : new Date(r.warned_at),
  size: r.size,
});

export function queueOps(ctx: PgCtx): QueueOps {
  return {
    async enqueue(item) {
      ctx.open();
      const id = randomBytes(12).toString('hex');
      const raw = Buffer.from(item.raw);
      return ctx.tx(async (db) => {
        const now = Date.now();
        const [r] = await db.q<QueueRow>(
          `INSERT INTO queue (id, sender, recipients, created_at, next_attempt_at, attempts, account_id, size, raw)
           VALUES ($1, $2, $3, $4, $4, 0, $5, $6, $7) RETURNING ${QUEUE_COLS}`,
          [id, item.from, item.recipients, now, item.accountId, raw.length, raw],
        );
        return { value: toQueueItem(r!), changes: [] };
      });
    },
    async dueQueueItems(now, limit) {
      const rows = await ctx.q<QueueRow>(`SELECT ${QUEUE_COLS} FROM queue WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`, [
        now.getTime(),
        limit,
      ]);
      return rows.map(toQueueItem);
    },
    async getQueueItem(id) {
      const [r] = await ctx.q<QueueRow>(`SELECT ${QUEUE_COLS} FROM queue WHERE id = $1`, [id]);
      return r ? toQueueItem(r) : null;
    },
    async getQueueRaw(id) {
      const [r] = await ctx.q<{ raw: Buffer }>('SELECT raw FROM queue WHERE id = $1', [id]);
      if (!r) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      return r.raw;
    },
    async updateQueueItem(id, patch) {
      return ctx.tx(async (db) => {
        const r = await db.q(
          `UPDATE queue SET recipients = coalesce($2, recipients), next_attempt_at = coalesce($3, next_attempt_at),
             attempts = coalesce($4, attempts), last_error = CASE WHEN $5 THEN $6 ELSE last_error END,
             warned_at = CASE WHEN $7 THEN $8 ELSE warned_at END
           WHERE id = $1 RETURNING 1`,
          [
            id,
            patch.recipients ?? null,
            patch.nextAttemptAt ? patch.nextAttemptAt.getTime() : null,
            patch.attempts ?? null,
            patch.lastError !== undefined,
            patch.lastError ?? null,
            patch.warnedAt !== undefined,
            patch.warnedAt ? patch.warnedAt.getTime() : null,
          ],
        );
        if (!r.length) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
        return { value: undefined, changes: [] };
      });
    },
    async removeQueueItem(id) {
      return ctx.tx(async (db) => {
        await db.q('DELETE FROM queue WHERE id = $1', [id]);
        return { value: undefined, changes: [] };
      });
    },
    async listQueue() {
      return (await ctx.q<QueueRow>(`SELECT ${QUEUE_COLS} FROM queue ORDER BY created_at, id`)).map(toQueueItem);
    },
  };
}
