/** Domains, accounts and aliases of the PostgreSQL store. */
import { resolveRecipientWith } from '../resolve.js';
import { DEFAULT_MAILBOXES, StoreError, type Domain } from '../types.js';
import { accountChange, normaliseAddress, normaliseAliasSource, normaliseDomain } from '../util.js';
import { toAccount, usedBytes, type AccountRow, type Db, type PgCtx } from './context.js';
import type { AdminOps } from '../ops.js';

interface DomainRow {
  name: string;
  created_at: number;
  dkim_selector: string | null;
  dkim_private_key: string | null;
}

const toDomain = (r: DomainRow): Domain => ({
  name: r.name,
  createdAt: new Date(r.created_at),
  dkimSelector: r.dkim_selector,
  dkimPrivateKey: r.dkim_private_key,
});

export function adminOps(ctx: PgCtx): AdminOps {
  const domainRow = async (db: Db, name: string) => (await db.q<DomainRow>('SELECT * FROM domains WHERE name = $1', [name]))[0];
  const accountByAddress = async (db: Db, address: string) =>
    (await db.q<AccountRow>('SELECT * FROM accounts WHERE address = $1', [address]))[0];
  const aliasDest = async (db: Db, source: string): Promise<string[] | null> =>
    (await db.q<{ destinations: string[] }>('SELECT destinations FROM aliases WHERE source = $1', [source]))[0]?.destinations ?? null;

  return {
    async addDomain(name, dkim) {
      const n = normaliseDomain(name);
      return ctx.tx(async (db) => {
        const [r] = await db.q<DomainRow>(
          `INSERT INTO domains (name, created_at, dkim_selector, dkim_private_key) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO NOTHING RETURNING *`,
          [n, Date.now(), dkim?.selector ?? null, dkim?.privateKey ?? null],
        );
        if (!r) throw new StoreError('ALREADYEXISTS', `domain ${n} already exists`);
        return { value: toDomain(r), changes: [] };
      });
    },
    async getDomain(name) {
      const r = await domainRow(ctx, String(name).trim().toLowerCase().replace(/\.$/, ''));
      return r ? toDomain(r) : null;
    },
    async listDomains() {
      return (await ctx.q<DomainRow>('SELECT * FROM domains ORDER BY name')).map(toDomain);
    },
    async removeDomain(name) {
      const n = normaliseDomain(name);
      return ctx.tx(async (db) => {
        if (!(await db.q('SELECT 1 FROM domains WHERE name = $1 FOR UPDATE', [n])).length)
          throw new StoreError('NONEXISTENT', `domain ${n} does not exist`);
        const [c] = await db.q<{ a: number; l: number }>(
          'SELECT (SELECT count(*) FROM accounts WHERE domain = $1) AS a, (SELECT count(*) FROM aliases WHERE domain = $1) AS l',
          [n],
        );
        if (c!.a || c!.l) throw new StoreError('NOPERM', `domain ${n} is still used by ${c!.a} account(s) and ${c!.l} alias(es); remove them first`);
        await db.q('DELETE FROM domains WHERE name = $1', [n]);
        return { value: undefined, changes: [] };
      });
    },

    async createAccount(address, passwordHash, opts) {
      const n = normaliseAddress(address);
      const quota = opts?.quotaBytes ?? 0;
      if (!Number.isFinite(quota) || quota < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      return ctx.tx(async (db) => {
        if (!(await db.q('SELECT 1 FROM domains WHERE name = $1 FOR SHARE', [n.domain])).length)
          throw new StoreError('NONEXISTENT', `domain ${n.domain} does not exist; add it first`);
        const [r] = await db.q<AccountRow>(
          `INSERT INTO accounts (address, domain, password_hash, quota_bytes, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (address) DO NOTHING RETURNING *`,
          [n.address, n.domain, passwordHash, quota, Date.now()],
        );
        if (!r) throw new StoreError('ALREADYEXISTS', `account ${n.address} already exists`);
        for (const d of DEFAULT_MAILBOXES) {
          await ctx.insertMailbox(db, r.id, d.name, d.specialUse);
          await db.q('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [r.id, d.name]);
        }
        return { value: toAccount(r), changes: [] };
      });
    },
    async getAccount(address) {
      const r = await accountByAddress(ctx, String(address).trim().toLowerCase());
      return r ? toAccount(r) : null;
    },
    async getAccountById(id) {
      const [r] = await ctx.q<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
      return r ? toAccount(r) : null;
    },
    async listAccounts(domain) {
      const rows = domain
        ? await ctx.q<AccountRow>('SELECT * FROM accounts WHERE domain = $1 ORDER BY address', [domain.toLowerCase()])
        : await ctx.q<AccountRow>('SELECT * FROM accounts ORDER BY address');
      return rows.map(toAccount);
    },
    async updateAccount(id, patch, opts) {
      if (patch.quotaBytes !== undefined && (!Number.isFinite(patch.quotaBytes) || patch.quotaBytes < 0))
        throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      return ctx.tx(async (db) => {
        await ctx.account(db, id);
        const [r] = await db.q<AccountRow>(
          `UPDATE accounts SET password_hash = coalesce($2, password_hash), quota_bytes = coalesce($3, quota_bytes),
             pop3_policy = CASE WHEN $4 THEN $5 ELSE pop3_policy END
           WHERE id = $1 RETURNING *`,
          [id, patch.passwordHash ?? null, patch.quotaBytes ?? null, patch.pop3Policy !== undefined, patch.pop3Policy ?? null],
        );
        const changes = patch.passwordHash !== undefined ? [accountChange(id, 'password', opts)] : [];
        return { value: toAccount(r!), changes };
      });
    },
    async deleteAccount(id, opts) {
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, id);
        for (const t of ['messages', 'expunged', 'retained', 'blobs', 'subscriptions', 'mailboxes', 'kv'])
          await db.q(`DELETE FROM ${t} WHERE account_id = $1`, [id]);
        await db.q('DELETE FROM accounts WHERE id = $1', [id]);
        return { value: undefined, changes: [accountChange(id, 'removed', opts)] };
      });
    },
    async usedBytes(id) {
      await ctx.account(ctx, id);
      return usedBytes(ctx, id);
    },

    async addAlias(source, destinations) {
      const s = normaliseAliasSource(source);
      const dests = [...new Set(destinations.map((d) => normaliseAddress(d).address))];
      if (dests.length === 0) throw new StoreError('INVALID', `alias ${s.source} needs at least one destination`);
      return ctx.tx(async (db) => {
        if (!(await domainRow(db, s.domain))) throw new StoreError('NONEXISTENT', `domain ${s.domain} does not exist; add it first`);
        const r = await db.q('INSERT INTO aliases (source, domain, destinations) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1', [
          s.source,
          s.domain,
          dests,
        ]);
        if (!r.length) throw new StoreError('ALREADYEXISTS', `alias ${s.source} already exists`);
        return { value: { source: s.source, destinations: dests }, changes: [] };
      });
    },
    async removeAlias(source) {
      const s = normaliseAliasSource(source);
      return ctx.tx(async (db) => {
        if (!(await db.q('DELETE FROM aliases WHERE source = $1 RETURNING 1', [s.source])).length)
          throw new StoreError('NONEXISTENT', `alias ${s.source} does not exist`);
        return { value: undefined, changes: [] };
      });
    },
    async listAliases(domain) {
      const rows = domain
        ? await ctx.q<{ source: string; destinations: string[] }>('SELECT source, destinations FROM aliases WHERE domain = $1 ORDER BY source', [
            domain.toLowerCase(),
          ])
        : await ctx.q<{ source: string; destinations: string[] }>('SELECT source, destinations FROM aliases ORDER BY source');
      return rows.map((r) => ({ source: r.source, destinations: r.destinations }));
    },
    async resolveRecipient(address) {
      ctx.open();
      return resolveRecipientWith(
        {
          domainExists: async (d) => !!(await domainRow(ctx, d)),
          account: async (a) => {
            const r = await accountByAddress(ctx, a);
            return r ? toAccount(r) : null;
          },
          aliasDestinations: (src) => aliasDest(ctx, src),
        },
        address,
      );
    },
  };
}
