/** Keyed state of the PostgreSQL store (../kv-types.ts): one table, `kv`, keyed by (account, ns, key); 0 = server-wide. */
import { checkKvDelta, checkKvKey, checkKvValue } from '../kv-check.js';
import type { KvEntry, KvOps } from '../kv-types.js';
import type { Db, PgCtx } from './context.js';

interface KvRow {
  key: string;
  value: string;
  updated_at: number;
  expires_at: number | null;
}

const LIVE = '(expires_at IS NULL OR expires_at > $3)';
const toEntry = (r: KvRow): KvEntry => ({
  key: r.key,
  value: r.value,
  updatedAt: new Date(r.updated_at),
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
});

export function kvOps(ctx: PgCtx): KvOps {
  const scope = (accountId: number | null) => accountId ?? 0;
  const owner = async (db: Db, accountId: number | null) => {
    if (accountId !== null) await ctx.account(db, accountId);
  };
  return {
    async kvGet(ns, accountId, keys) {
      const rows = await ctx.q<KvRow>(
        `SELECT key, value, updated_at, expires_at FROM kv WHERE account_id = $1 AND ns = $2 AND ${LIVE} AND key = ANY($4::text[])`,
        [scope(accountId), ns, Date.now(), [...new Set(keys)]],
      );
      return new Map(rows.map((r) => [r.key, toEntry(r)]));
    },
    async kvList(ns, accountId, opts = {}) {
      const prefix = opts.prefix ?? '';
      const rows = await ctx.q<KvRow>(
        `SELECT key, value, updated_at, expires_at FROM kv
         WHERE account_id = $1 AND ns = $2 AND ${LIVE} AND starts_with(key, $4) AND ($5::text IS NULL OR key > $5)
         ORDER BY key LIMIT $6`,
        [scope(accountId), ns, Date.now(), prefix, opts.after ?? null, opts.limit ?? null],
      );
      return rows.map(toEntry);
    },
    async kvSet(ns, accountId, entries, opts) {
      for (const e of entries) {
        checkKvKey(ns, e.key);
        checkKvValue(ns, e.value);
      }
      return ctx.tx(
        async (db) => {
          await owner(db, accountId);
          const now = Date.now();
          for (const e of entries)
            await db.q(
              `INSERT INTO kv (account_id, ns, key, value, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (account_id, ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
              [scope(accountId), ns, e.key, e.value, now, e.expiresAt ? e.expiresAt.getTime() : null],
            );
          return { value: undefined, changes: opts?.announce ?? [] };
        },
        { durable: opts?.durable ?? true },
      );
    },
    async kvDelete(ns, accountId, keys, opts) {
      return ctx.tx(async (db) => {
        const r = await db.q('DELETE FROM kv WHERE account_id = $1 AND ns = $2 AND key = ANY($3::text[]) RETURNING 1', [
          scope(accountId),
          ns,
          [...new Set(keys)],
        ]);
        return { value: r.length, changes: opts?.announce ?? [] };
      });
    },
    async kvAdd(ns, accountId, key, delta, opts = {}) {
      checkKvKey(ns, key);
      checkKvDelta(delta);
      return ctx.tx(
        async (db) => {
          await owner(db, accountId);
          const now = Date.now();
          const setExpiry = opts.expiresAt !== undefined;
          const expires = opts.expiresAt ? opts.expiresAt.getTime() : null;
          // one statement: the row lock of ON CONFLICT makes concurrent adds serialize, never lose one
          const [r] = await db.q<{ value: string }>(
            `INSERT INTO kv AS k (account_id, ns, key, value, updated_at, expires_at) VALUES ($1, $2, $3, $4::bigint::text, $5, $7)
             ON CONFLICT (account_id, ns, key) DO UPDATE SET
               value = ((CASE WHEN k.expires_at IS NULL OR k.expires_at > $5 THEN coalesce(substring(k.value FROM '^-?[0-9]{1,18}')::bigint, 0) ELSE 0 END) + $4::bigint)::text,
               updated_at = $5,
               expires_at = CASE WHEN $6 THEN $7::bigint WHEN k.expires_at IS NULL OR k.expires_at > $5 THEN k.expires_at ELSE NULL END
             RETURNING value`,
            [scope(accountId), ns, key, delta, now, setExpiry, expires],
          );
          return { value: Number(r!.value), changes: [] };
        },
        { durable: opts.durable ?? true },
      );
    },
    async kvPurgeExpired(now) {
      return ctx.tx(async (db) => {
        const r = await db.q('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING 1', [now.getTime()]);
        return { value: r.length, changes: [] };
      });
    },
  };
}
