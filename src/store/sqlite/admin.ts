/** Domains, accounts and aliases of the SQLite store. */
import { resolveRecipientWith } from '../resolve.js';
import { DEFAULT_MAILBOXES, StoreError, type Domain } from '../types.js';
import { accountChange, normaliseAddress, normaliseAliasSource, normaliseDomain } from '../util.js';
import { toAccount, type AccountRow, type Ctx } from './context.js';
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

export function adminOps(ctx: Ctx): AdminOps {
  const { q } = ctx;
  const domainRow = (name: string) => q('SELECT * FROM domains WHERE name = ?').get(name) as DomainRow | undefined;
  const accountByAddress = (address: string) => q('SELECT * FROM accounts WHERE address = ?').get(address) as AccountRow | undefined;
  const aliasDest = (source: string): string[] | null => {
    const r = q('SELECT destinations FROM aliases WHERE source = ?').get(source) as { destinations: string } | undefined;
    return r ? (JSON.parse(r.destinations) as string[]) : null;
  };

  return {
    async addDomain(name, dkim) {
      const n = normaliseDomain(name);
      return ctx.mutate(() => {
        if (domainRow(n)) throw new StoreError('ALREADYEXISTS', `domain ${n} already exists`);
        q('INSERT INTO domains (name, created_at, dkim_selector, dkim_private_key) VALUES (?, ?, ?, ?)').run(
          n,
          Date.now(),
          dkim?.selector ?? null,
          dkim?.privateKey ?? null,
        );
        return { value: toDomain(domainRow(n)!), changes: [] };
      });
    },
    async getDomain(name) {
      ctx.open();
      const r = domainRow(String(name).trim().toLowerCase().replace(/\.$/, ''));
      return r ? toDomain(r) : null;
    },
    async listDomains() {
      ctx.open();
      return (q('SELECT * FROM domains ORDER BY name').all() as DomainRow[]).map(toDomain);
    },
    async removeDomain(name) {
      const n = normaliseDomain(name);
      return ctx.mutate(() => {
        if (!domainRow(n)) throw new StoreError('NONEXISTENT', `domain ${n} does not exist`);
        const accounts = (q('SELECT count(*) AS n FROM accounts WHERE domain = ?').get(n) as { n: number }).n;
        const aliases = (q('SELECT count(*) AS n FROM aliases WHERE domain = ?').get(n) as { n: number }).n;
        if (accounts || aliases)
          throw new StoreError('NOPERM', `domain ${n} is still used by ${accounts} account(s) and ${aliases} alias(es); remove them first`);
        q('DELETE FROM domains WHERE name = ?').run(n);
        return { value: undefined, changes: [] };
      });
    },

    async createAccount(address, passwordHash, opts) {
      const n = normaliseAddress(address);
      const quota = opts?.quotaBytes ?? 0;
      if (!Number.isFinite(quota) || quota < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      return ctx.mutate(() => {
        if (!domainRow(n.domain)) throw new StoreError('NONEXISTENT', `domain ${n.domain} does not exist; add it first`);
        if (accountByAddress(n.address)) throw new StoreError('ALREADYEXISTS', `account ${n.address} already exists`);
        const id = Number(
          q('INSERT INTO accounts (address, domain, password_hash, quota_bytes, created_at) VALUES (?, ?, ?, ?, ?)').run(
            n.address,
            n.domain,
            passwordHash,
            quota,
            Date.now(),
          ).lastInsertRowid,
        );
        for (const d of DEFAULT_MAILBOXES) {
          ctx.insertMailbox(id, d.name, d.specialUse);
          q('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)').run(id, d.name);
        }
        return { value: toAccount(ctx.account(id)), changes: [] };
      });
    },
    async getAccount(address) {
      ctx.open();
      const r = accountByAddress(String(address).trim().toLowerCase());
      return r ? toAccount(r) : null;
    },
    async getAccountById(id) {
      ctx.open();
      const r = q('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
      return r ? toAccount(r) : null;
    },
    async listAccounts(domain) {
      ctx.open();
      const rows = domain
        ? (q('SELECT * FROM accounts WHERE domain = ? ORDER BY address').all(domain.toLowerCase()) as AccountRow[])
        : (q('SELECT * FROM accounts ORDER BY address').all() as AccountRow[]);
      return rows.map(toAccount);
    },
    async updateAccount(id, patch, opts) {
      if (patch.quotaBytes !== undefined && (!Number.isFinite(patch.quotaBytes) || patch.quotaBytes < 0))
        throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      return ctx.mutate(() => {
        ctx.account(id);
        if (patch.passwordHash !== undefined) q('UPDATE accounts SET password_hash = ? WHERE id = ?').run(patch.passwordHash, id);
        if (patch.quotaBytes !== undefined) q('UPDATE accounts SET quota_bytes = ? WHERE id = ?').run(patch.quotaBytes, id);
        if (patch.pop3Policy !== undefined) q('UPDATE accounts SET pop3_policy = ? WHERE id = ?').run(patch.pop3Policy, id);
        const changes = patch.passwordHash !== undefined ? [accountChange(id, 'password', opts)] : [];
        return { value: toAccount(ctx.account(id)), changes };
      });
    },
    async deleteAccount(id, opts) {
      return ctx.mutate(() => {
        ctx.account(id);
        const blobs = q(
          'SELECT DISTINCT blob_id FROM messages WHERE account_id = ? UNION SELECT blob_id FROM retained WHERE account_id = ?',
        )
          .pluck(true)
          .all(id, id) as number[];
        q('DELETE FROM accounts WHERE id = ?').run(id); // cascades to mailboxes, messages, retained, subscriptions
        q('DELETE FROM kv WHERE account_id = ?').run(id);
        ctx.collectBlobs(blobs);
        return { value: undefined, changes: [accountChange(id, 'removed', opts)] };
      });
    },
    async usedBytes(id) {
      return ctx.account(id).used_bytes;
    },

    async addAlias(source, destinations) {
      const s = normaliseAliasSource(source);
      const dests = [...new Set(destinations.map((d) => normaliseAddress(d).address))];
      if (dests.length === 0) throw new StoreError('INVALID', `alias ${s.source} needs at least one destination`);
      return ctx.mutate(() => {
        if (!domainRow(s.domain)) throw new StoreError('NONEXISTENT', `domain ${s.domain} does not exist; add it first`);
        if (aliasDest(s.source)) throw new StoreError('ALREADYEXISTS', `alias ${s.source} already exists`);
        q('INSERT INTO aliases (source, domain, destinations) VALUES (?, ?, ?)').run(s.source, s.domain, JSON.stringify(dests));
        return { value: { source: s.source, destinations: dests }, changes: [] };
      });
    },
    async removeAlias(source) {
      const s = normaliseAliasSource(source);
      return ctx.mutate(() => {
        if (q('DELETE FROM aliases WHERE source = ?').run(s.source).changes === 0)
          throw new StoreError('NONEXISTENT', `alias ${s.source} does not exist`);
        return { value: undefined, changes: [] };
      });
    },
    async listAliases(domain) {
      ctx.open();
      const rows = (
        domain
          ? q('SELECT source, destinations FROM aliases WHERE domain = ? ORDER BY source').all(domain.toLowerCase())
          : q('SELECT source, destinations FROM aliases ORDER BY source').all()
      ) as Array<{ source: string; destinations: string }>;
      return rows.map((r) => ({ source: r.source, destinations: JSON.parse(r.destinations) as string[] }));
    },
    async resolveRecipient(address) {
      ctx.open();
      // resolveRecipientWith asks first whether the domain is ours, then for the account of the
      // exact address: both in one statement (every RCPT of inbound mail), the rest as asked
      let first: { domain: string; address: string; domainFound: boolean; account: AccountRow | undefined } | null = null;
      try {
        const n = normaliseAddress(address);
        const row = q(
          'SELECT EXISTS (SELECT 1 FROM domains WHERE name = ?) AS domain_found, a.* FROM (SELECT 1) LEFT JOIN accounts a ON a.address = ?',
        ).get(n.domain, n.address) as AccountRow & { domain_found: number };
        first = { domain: n.domain, address: n.address, domainFound: row.domain_found === 1, account: row.id == null ? undefined : row };
      } catch (err) {
        if (!(err instanceof StoreError)) throw err; // not an address: resolveRecipientWith answers null
      }
      return resolveRecipientWith(
        {
          domainExists: async (d) => (first?.domain === d ? first.domainFound : q('SELECT 1 FROM domains WHERE name = ?').pluck(true).get(d) !== undefined),
          account: async (a) => {
            const r = first?.address === a ? first.account : accountByAddress(a);
            return r ? toAccount(r) : null;
          },
          aliasDestinations: async (src) => aliasDest(src),
        },
        address,
      );
    },
  };
}
