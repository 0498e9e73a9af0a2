/** Keyed state of the SQLite store (../kv-types.ts): one table, `kv`, keyed by (ns, account, key); 0 = server-wide. */
import { checkKvDelta, checkKvKey, checkKvValue } from '../kv-check.js';
import type { KvEntry, KvOps } from '../kv-types.js';
import type { Ctx } from './context.js';

interface KvRow {
  key: string;
  value: string;
  updated_at: number;
  expires_at: number | null;
}

const LIVE = '(expires_at IS NULL OR expires_at > ?)';
/** kvGet of at most this many keys binds them as parameters (one statement per count) */
const FEW_KEYS = 4;
const PLACEHOLDERS = Array.from({ length: FEW_KEYS + 1 }, (_, n) => Array(n).fill('?').join(', '));
const toEntry = (r: KvRow): KvEntry => ({
  key: r.key,
  value: r.value,
  updatedAt: new Date(r.updated_at),
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
});

export function kvOps(ctx: Ctx): KvOps {
  const { q } = ctx;
  const scope = (accountId: number | null) => accountId ?? 0;
  const owner = (accountId: number | null) => {
    if (accountId !== null) ctx.account(accountId);
  };
  return {
    async kvGet(ns, accountId, keys) {
      ctx.open();
      const out = new Map<string, KvEntry>();
      if (keys.length === 0) return out;
      // one statement for every key, each looked up by the primary key inside SQLite: a few
      // keys (a Sieve script's "active", a rate counter's two slices: every delivery) as
      // parameters, more (the rate counters read up to 61) as one JSON array, which costs
      // SQLite a JSON parse and a table-valued function per statement
      const rows = (
        keys.length <= FEW_KEYS
          ? q(`SELECT key, value, updated_at, expires_at FROM kv WHERE ns = ? AND account_id = ? AND key IN (${PLACEHOLDERS[keys.length]}) AND ${LIVE}`).all(
              ns,
              scope(accountId),
              ...keys,
              Date.now(),
            )
          : q(
              `SELECT key, value, updated_at, expires_at FROM kv
               WHERE ns = ? AND account_id = ? AND key IN (SELECT value FROM json_each(?)) AND ${LIVE}`,
            ).all(ns, scope(accountId), JSON.stringify(keys), Date.now())
      ) as KvRow[];
      for (const r of rows) out.set(r.key, toEntry(r));
      return out;
    },
    async kvList(ns, accountId, opts = {}) {
      ctx.open();
      const prefix = opts.prefix ?? '';
      // key range [prefix, prefix + U+10FFFF) instead of LIKE: no escaping, uses the primary key
      const rows = q(
        `SELECT key, value, updated_at, expires_at FROM kv
         WHERE ns = ? AND account_id = ? AND key >= ? AND key < ? AND (? IS NULL OR key > ?) AND ${LIVE}
         ORDER BY key LIMIT ?`,
      ).all(ns, scope(accountId), prefix, prefix + '\u{10FFFF}', opts.after ?? null, opts.after ?? null, Date.now(), opts.limit ?? -1) as KvRow[];
      return rows.filter((r) => r.key.startsWith(prefix)).map(toEntry);
    },
    async kvSet(ns, accountId, entries, opts) {
      for (const e of entries) {
        checkKvKey(ns, e.key);
        checkKvValue(ns, e.value);
      }
      return ctx.mutate(
        () => {
          owner(accountId);
          const put = q(
            `INSERT INTO kv (ns, account_id, key, value, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (ns, account_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
          );
          const now = Date.now();
          for (const e of entries) put.run(ns, scope(accountId), e.key, e.value, now, e.expiresAt ? e.expiresAt.getTime() : null);
          return { value: undefined, changes: opts?.announce ?? [] };
        },
        { durable: opts?.durable ?? true },
      );
    },
    async kvDelete(ns, accountId, keys, opts) {
      return ctx.mutate(() => {
        const del = q('DELETE FROM kv WHERE ns = ? AND account_id = ? AND key = ?');
        let n = 0;
        for (const k of new Set(keys)) n += del.run(ns, scope(accountId), k).changes;
        return { value: n, changes: opts?.announce ?? [] };
      });
    },
    async kvAdd(ns, accountId, key, delta, opts = {}) {
      checkKvKey(ns, key);
      checkKvDelta(delta);
      return ctx.mutate(
        () => {
          owner(accountId);
          const now = Date.now();
          const cur = q(`SELECT value, expires_at FROM kv WHERE ns = ? AND account_id = ? AND key = ?`).get(ns, scope(accountId), key) as
            | { value: string; expires_at: number | null }
            | undefined;
          const live = cur && (cur.expires_at === null || cur.expires_at > now);
          const next = (live ? Number.parseInt(cur.value, 10) || 0 : 0) + delta;
          const expires = opts.expiresAt !== undefined ? (opts.expiresAt ? opts.expiresAt.getTime() : null) : live ? cur.expires_at : null;
          q(
            `INSERT INTO kv (ns, account_id, key, value, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (ns, account_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
          ).run(ns, scope(accountId), key, String(next), now, expires);
          return { value: next, changes: [] };
        },
        { durable: opts.durable ?? true },
      );
    },
    async kvPurgeExpired(now) {
      return ctx.mutate(() => ({ value: q('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now.getTime()).changes, changes: [] }));
    },
  };
}
