/** Outbound queue of the in-memory backend. */
import { randomBytes } from 'node:crypto';
import { StoreError, type QueueItem } from '../types.js';
import type { MemCtx } from './context.js';
import type { QueueOps } from '../ops.js';


export function queueOps(m: MemCtx): QueueOps {
  const { open, st } = m;
  return {
    async enqueue(item) {
      open();
      const now = new Date();
      const q: QueueItem = {
        id: randomBytes(12).toString('hex'),
        from: item.from,
        recipients: [...item.recipients],
        createdAt: now,
        nextAttemptAt: now,
        attempts: 0,
        lastError: null,
        accountId: item.accountId,
        warnedAt: null,
        size: item.raw.length,
      };
      st.queue.set(q.id, { item: q, raw: Buffer.from(item.raw) });
      return copyItem(q);
    },
    async dueQueueItems(now, limit) {
      open();
      return [...st.queue.values()]
        .map((e) => e.item)
        .filter((i) => i.nextAttemptAt.getTime() <= now.getTime())
        .sort((x, y) => x.nextAttemptAt.getTime() - y.nextAttemptAt.getTime())
        .slice(0, limit)
        .map(copyItem);
    },
    async getQueueItem(id) {
      open();
      const e = st.queue.get(id);
      return e ? copyItem(e.item) : null;
    },
    async getQueueRaw(id) {
      open();
      const e = st.queue.get(id);
      if (!e) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      return Buffer.from(e.raw);
    },
    async updateQueueItem(id, patch) {
      open();
      const e = st.queue.get(id);
      if (!e) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      if (patch.recipients) e.item.recipients = [...patch.recipients];
      if (patch.nextAttemptAt) e.item.nextAttemptAt = new Date(patch.nextAttemptAt);
      if (patch.attempts !== undefined) e.item.attempts = patch.attempts;
      if (patch.lastError !== undefined) e.item.lastError = patch.lastError;
      if (patch.warnedAt !== undefined) e.item.warnedAt = patch.warnedAt ? new Date(patch.warnedAt) : null;
    },
    async removeQueueItem(id) {
      open();
      st.queue.delete(id);
    },
    async listQueue() {
      open();
      return [...st.queue.values()].map((e) => copyItem(e.item)).sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
    },
  };
}

function copyItem(q: QueueItem): QueueItem {
  return {
    ...q,
    recipients: [...q.recipients],
    createdAt: new Date(q.createdAt),
    nextAttemptAt: new Date(q.nextAttemptAt),
    warnedAt: q.warnedAt ? new Date(q.warnedAt) : null,
  };
}
