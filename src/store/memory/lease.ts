/** Queue claims and leases of the in-memory backend (../lease-types.ts): one process, so plain maps. */
import type { LeaseOps } from '../lease-types.js';
import type { MemCtx } from './context.js';

export function leaseOps(m: MemCtx): LeaseOps {
  const { open, st } = m;
  return {
    async claimQueueItems(now, limit, holder, leaseMs) {
      open();
      const t = now.getTime();
      const due = [...st.queue.values()]
        .filter((e) => e.item.nextAttemptAt.getTime() <= t && (!e.claim || e.claim.until <= t))
        .sort((x, y) => x.item.nextAttemptAt.getTime() - y.item.nextAttemptAt.getTime())
        .slice(0, limit);
      for (const e of due) e.claim = { holder, until: t + leaseMs };
      return due.map((e) => ({
        ...e.item,
        recipients: [...e.item.recipients],
        createdAt: new Date(e.item.createdAt),
        nextAttemptAt: new Date(e.item.nextAttemptAt),
        warnedAt: e.item.warnedAt ? new Date(e.item.warnedAt) : null,
      }));
    },
    async releaseQueueItems(ids, holder) {
      open();
      for (const id of ids) {
        const e = st.queue.get(id);
        if (e?.claim?.holder === holder) delete e.claim;
      }
    },
    async acquireLease(name, holder, ttlMs) {
      open();
      const now = Date.now();
      const cur = st.leases.get(name);
      if (cur && cur.holder !== holder && cur.until > now) return false;
      st.leases.set(name, { holder, until: now + ttlMs });
      return true;
    },
    async releaseLease(name, holder) {
      open();
      const cur = st.leases.get(name);
      if (!cur || cur.holder !== holder) return false;
      st.leases.delete(name);
      return cur.until > Date.now();
    },
  };
}
