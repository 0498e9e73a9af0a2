/** Domains, accounts and aliases of the in-memory backend. */
import { resolveRecipientWith } from '../resolve.js';
import { DEFAULT_MAILBOXES, StoreError, type Account, type Alias, type Domain } from '../types.js';
import { accountChange, normaliseAddress, normaliseAliasSource, normaliseDomain, domainOf } from '../util.js';
import type { AccountState } from './model.js';
import type { MemCtx } from './context.js';
import type { AdminOps } from '../ops.js';


export function adminOps(m: MemCtx): AdminOps {
  const { open, acct, copyAccount, newMailbox, st, publish } = m;
  return {
    async addDomain(name, dkim) {
      open();
      const n = normaliseDomain(name);
      if (st.domains.has(n)) throw new StoreError('ALREADYEXISTS', `domain ${n} already exists`);
      const d: Domain = { name: n, createdAt: new Date(), dkimSelector: dkim?.selector ?? null, dkimPrivateKey: dkim?.privateKey ?? null };
      st.domains.set(n, d);
      return { ...d };
    },
    async getDomain(name) {
      open();
      const d = st.domains.get(String(name).toLowerCase().replace(/\.$/, ''));
      return d ? { ...d } : null;
    },
    async listDomains() {
      open();
      return [...st.domains.values()].sort((x, y) => x.name.localeCompare(y.name)).map((d) => ({ ...d }));
    },
    async removeDomain(name) {
      open();
      const n = normaliseDomain(name);
      if (!st.domains.has(n)) throw new StoreError('NONEXISTENT', `domain ${n} does not exist`);
      const accounts = [...st.accounts.values()].filter((a) => domainOf(a.account.address) === n).length;
      const aliases = [...st.aliases.values()].filter((a) => domainOf(a.source) === n).length;
      if (accounts || aliases)
        throw new StoreError('NOPERM', `domain ${n} is still used by ${accounts} account(s) and ${aliases} alias(es); remove them first`);
      st.domains.delete(n);
    },

    async createAccount(address, passwordHash, opts) {
      open();
      const n = normaliseAddress(address);
      const quota = opts?.quotaBytes ?? 0;
      if (!Number.isFinite(quota) || quota < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      if (!st.domains.has(n.domain)) throw new StoreError('NONEXISTENT', `domain ${n.domain} does not exist; add it first`);
      for (const a of st.accounts.values())
        if (a.account.address === n.address) throw new StoreError('ALREADYEXISTS', `account ${n.address} already exists`);
      const account: Account = { id: st.nextAccountId++, address: n.address, passwordHash, quotaBytes: quota, pop3Policy: null, createdAt: new Date() };
      const a: AccountState = { account, mailboxes: new Map(), subscriptions: new Set(), retained: [], used: 0 };
      st.accounts.set(account.id, a);
      for (const d of DEFAULT_MAILBOXES) {
        newMailbox(a, d.name, d.specialUse);
        a.subscriptions.add(d.name);
      }
      return copyAccount(account);
    },
    async getAccount(address) {
      open();
      const a = String(address).trim().toLowerCase();
      for (const s of st.accounts.values()) if (s.account.address === a) return copyAccount(s.account);
      return null;
    },
    async getAccountById(id) {
      open();
      const a = st.accounts.get(id);
      return a ? copyAccount(a.account) : null;
    },
    async listAccounts(domain) {
      open();
      const d = domain?.toLowerCase();
      return [...st.accounts.values()]
        .filter((a) => !d || domainOf(a.account.address) === d)
        .map((a) => copyAccount(a.account))
        .sort((x, y) => x.address.localeCompare(y.address));
    },
    async updateAccount(id, patch, opts) {
      const a = acct(id);
      if (patch.passwordHash !== undefined) a.account.passwordHash = patch.passwordHash;
      if (patch.quotaBytes !== undefined) {
        if (!Number.isFinite(patch.quotaBytes) || patch.quotaBytes < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
        a.account.quotaBytes = patch.quotaBytes;
      }
      if (patch.pop3Policy !== undefined) a.account.pop3Policy = patch.pop3Policy;
      if (patch.passwordHash !== undefined) publish([accountChange(id, 'password', opts)]);
      return copyAccount(a.account);
    },
    async deleteAccount(id, opts) {
      acct(id);
      st.accounts.delete(id);
      for (const k of [...st.kv.keys()]) if (k.endsWith(`\0${id}`)) st.kv.delete(k);
      publish([accountChange(id, 'removed', opts)]);
    },
    async usedBytes(id) {
      return acct(id).used;
    },

    async addAlias(source, destinations) {
      open();
      const s = normaliseAliasSource(source);
      if (!st.domains.has(s.domain)) throw new StoreError('NONEXISTENT', `domain ${s.domain} does not exist; add it first`);
      if (st.aliases.has(s.source)) throw new StoreError('ALREADYEXISTS', `alias ${s.source} already exists`);
      const dests = [...new Set(destinations.map((d) => normaliseAddress(d).address))];
      if (dests.length === 0) throw new StoreError('INVALID', `alias ${s.source} needs at least one destination`);
      const alias: Alias = { source: s.source, destinations: dests };
      st.aliases.set(s.source, alias);
      return { source: alias.source, destinations: [...dests] };
    },
    async removeAlias(source) {
      open();
      const s = normaliseAliasSource(source);
      if (!st.aliases.delete(s.source)) throw new StoreError('NONEXISTENT', `alias ${s.source} does not exist`);
    },
    async listAliases(domain) {
      open();
      const d = domain?.toLowerCase();
      return [...st.aliases.values()]
        .filter((a) => !d || domainOf(a.source) === d)
        .sort((x, y) => x.source.localeCompare(y.source))
        .map((a) => ({ source: a.source, destinations: [...a.destinations] }));
    },
    async resolveRecipient(address) {
      open();
      return resolveRecipientWith(
        {
          domainExists: async (d) => st.domains.has(d),
          account: async (addr) => {
            for (const s of st.accounts.values()) if (s.account.address === addr) return copyAccount(s.account);
            return null;
          },
          aliasDestinations: async (src) => st.aliases.get(src)?.destinations.slice() ?? null,
        },
        address,
      );
    },
  };
}
