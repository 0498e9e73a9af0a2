/** Keyed state of the in-memory backend (../kv-types.ts). */
import { checkKvDelta, checkKvKey, checkKvValue } from '../kv-check.js';
import type { KvEntry, KvOps } from '../kv-types.js';
import type { MemCtx } from './context.js';

export function kvOps(m: MemCtx): KvOps {
  const { st, open } = m;
  const table = (ns: string, accountId: number | null, create: boolean) => {
    const k = `${ns}\0${accountId ?? 0}`;
    let t = st.kv.get(k);
    if (!t && create) st.kv.set(k, (t = new Map()));
    return t;
  };
  const live = (e: KvEntry | undefined, now: number): e is KvEntry => !!e && (e.expiresAt === null || e.expiresAt.getTime() > now);
  const copy = (e: KvEntry): KvEntry => ({ ...e, updatedAt: new Date(e.updatedAt), expiresAt: e.expiresAt ? new Date(e.expiresAt) : null });
  const owner = (accountId: number | null) => {
    if (accountId !== null) m.acct(accountId);
  };
  return {
    async kvGet(ns, accountId, keys) {
      open();
      const t = table(ns, accountId, false);
      const out = new Map<string, KvEntry>();
      const now = Date.now();
      for (const k of keys) {
        const e = t?.get(k);
        if (live(e, now)) out.set(k, copy(e));
      }
      return out;
    },
    async kvList(ns, accountId, opts = {}) {
      open();
      const t = table(ns, accountId, false);
      if (!t) return [];
      const prefix = opts.prefix ?? '';
      const after = opts.after;
      const now = Date.now();
      const keys = [...t.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0));
      // byte order of the UTF-8 keys, as SQLite and PostgreSQL (C collation) sort them
      keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const out: KvEntry[] = [];
      for (const k of keys) {
        const e = t.get(k);
        if (!live(e, now)) continue;
        out.push(copy(e));
        if (opts.limit !== undefined && out.length >= opts.limit) break;
      }
      return out;
    },
    async kvSet(ns, accountId, entries, opts) {
      open();
      for (const e of entries) {
        checkKvKey(ns, e.key);
        checkKvValue(ns, e.value);
      }
      owner(accountId);
      const t = table(ns, accountId, true)!;
      const now = new Date();
      for (const e of entries) t.set(e.key, { key: e.key, value: e.value, updatedAt: now, expiresAt: e.expiresAt ? new Date(e.expiresAt) : null });
      if (opts?.announce?.length) m.publish(opts.announce);
    },
    async kvDelete(ns, accountId, keys, opts) {
      open();
      const t = table(ns, accountId, false);
      let n = 0;
      for (const k of new Set(keys)) if (t?.delete(k)) n++;
      if (opts?.announce?.length) m.publish(opts.announce);
      return n;
    },
    async kvAdd(ns, accountId, key, delta, opts = {}) {
      open();
      checkKvKey(ns, key);
      checkKvDelta(delta);
      owner(accountId);
      const t = table(ns, accountId, true)!;
      const now = Date.now();
      const cur = t.get(key);
      const isLive = live(cur, now);
      const next = (isLive ? Number.parseInt(cur.value, 10) || 0 : 0) + delta;
      const expiresAt = opts.expiresAt !== undefined ? (opts.expiresAt ? new Date(opts.expiresAt) : null) : isLive ? cur.expiresAt : null;
      t.set(key, { key, value: String(next), updatedAt: new Date(now), expiresAt });
      return next;
    },
    async kvPurgeExpired(now) {
      open();
      let n = 0;
      for (const t of st.kv.values())
        for (const [k, e] of t)
          if (e.expiresAt && e.expiresAt.getTime() <= now.getTime()) {
            t.delete(k);
            n++;
          }
      return n;
    },
  };
}
