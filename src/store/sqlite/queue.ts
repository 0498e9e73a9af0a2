/** Outbound queue of the SQLite store (issue #5): items with their raw message, persisted. */
import { randomBytes } from 'node:crypto';
import { StoreError, type QueueItem } from '../types.js';
import type { Ctx } from './context.js';
import type { QueueOps } from '../ops.js';


export interface QueueRow {
  id: string;
  sender: string;
  recipients: string;
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
  recipients: JSON.parse(r.recipients) as string[],
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
  attempts: r.attempts,
  lastError: r.last_error,
  accountId: r.account_id,
  warnedAt: r.warned_at === null ? null : new Date(r.warned_at),
  size: r.size,
});

export function queueOps(ctx: Ctx): QueueOps {
  const { q } = ctx;
  const row = (id: string) => q(`SELECT ${QUEUE_COLS} FROM queue WHERE id = ?`).get(id) as QueueRow | undefined;
  return {
    async enqueue(item) {
      ctx.open();
      const id = randomBytes(12).toString('hex');
      const raw = Buffer.from(item.raw);
      return ctx.mutate(() => {
        const now = Date.now();
        q(
          `INSERT INTO queue (id, sender, recipients, created_at, next_attempt_at, attempts, account_id, size, raw)
           VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        ).run(id, item.from, JSON.stringify(item.recipients), now, now, item.accountId, raw.length, raw);
        return { value: toQueueItem(row(id)!), changes: [] };
      });
    },
    async dueQueueItems(now, limit) {
      ctx.open();
      return (q(`SELECT ${QUEUE_COLS} FROM queue WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`).all(now.getTime(), limit) as QueueRow[]).map(
        toQueueItem,
      );
    },
    async getQueueItem(id) {
      ctx.open();
      const r = row(id);
      return r ? toQueueItem(r) : null;
    },
    async getQueueRaw(id) {
      ctx.open();
      const raw = q('SELECT raw FROM queue WHERE id = ?').pluck(true).get(id) as Buffer | undefined;
      if (!raw) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      return raw;
    },
    async updateQueueItem(id, patch) {
      return ctx.mutate(() => {
        if (!row(id)) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
        if (patch.recipients) q('UPDATE queue SET recipients = ? WHERE id = ?').run(JSON.stringify(patch.recipients), id);
        if (patch.nextAttemptAt) q('UPDATE queue SET next_attempt_at = ? WHERE id = ?').run(patch.nextAttemptAt.getTime(), id);
        if (patch.attempts !== undefined) q('UPDATE queue SET attempts = ? WHERE id = ?').run(patch.attempts, id);
        if (patch.lastError !== undefined) q('UPDATE queue SET last_error = ? WHERE id = ?').run(patch.lastError, id);
        if (patch.warnedAt !== undefined) q('UPDATE queue SET warned_at = ? WHERE id = ?').run(patch.warnedAt ? patch.warnedAt.getTime() : null, id);
        return { value: undefined, changes: [] };
      });
    },
    async removeQueueItem(id) {
      return ctx.mutate(() => {
        q('DELETE FROM queue WHERE id = ?').run(id);
        return { value: undefined, changes: [] };
      });
    },
    async listQueue() {
      ctx.open();
      return (q(`SELECT ${QUEUE_COLS} FROM queue ORDER BY created_at, id`).all() as QueueRow[]).map(toQueueItem);
    },
  };
}
