/**
 * Recipient resolution shared by every backend (Store.resolveRecipient): exact account,
 * exact alias, plus-addressing (user+tag@ → user@), catch-all "@domain". Alias
 * destinations in our domains are resolved again (chains, depth limit 10, loops cut).
 */
import type { Account } from './types.js';
import { domainOf, normaliseAddress } from './util.js';

export interface ResolveLookups {
  domainExists(domain: string): Promise<boolean>;
  account(address: string): Promise<Account | null>;
  aliasDestinations(source: string): Promise<string[] | null>;
}

export const ALIAS_DEPTH_LIMIT = 10;

export async function resolveRecipientWith(
  lookups: ResolveLookups,
  address: string,
): Promise<{ accounts: Account[]; external: string[] } | null> {
  let n: ReturnType<typeof normaliseAddress>;
  try {
    n = normaliseAddress(address);
  } catch {
    return null;
  }
  if (!(await lookups.domainExists(n.domain))) return null;
  const accounts = new Map<number, Account>();
  const external = new Set<string>();
  const visiting = new Set<string>();

  // returns false when nothing matched this address
  async function walk(addr: string, depth: number): Promise<boolean> {
    if (depth > ALIAS_DEPTH_LIMIT || visiting.has(addr)) return true; // loop or too deep: stop quietly
    visiting.add(addr);
    try {
      const domain = domainOf(addr);
      const local = addr.slice(0, addr.lastIndexOf('@'));
      const expand = async (dests: string[]): Promise<boolean> => {
        for (const d of dests) {
          const dd = d.toLowerCase();
          if (await lookups.domainExists(domainOf(dd))) await walk(dd, depth + 1);
          else external.add(dd);
        }
        return true;
      };
      const acct = await lookups.account(addr);
      if (acct) {
        accounts.set(acct.id, acct);
        return true;
      }
      const alias = await lookups.aliasDestinations(addr);
      if (alias) return expand(alias);
      const plus = local.indexOf('+');
      if (plus > 0) {
        const base = `${local.slice(0, plus)}@${domain}`;
        const a2 = await lookups.account(base);
        if (a2) {
          accounts.set(a2.id, a2);
          return true;
        }
        const al2 = await lookups.aliasDestinations(base);
        if (al2) return expand(al2);
      }
      const catchAll = await lookups.aliasDestinations(`@${domain}`);
      if (catchAll) return expand(catchAll);
      return false;
    } finally {
      visiting.delete(addr);
    }
  }

  const found = await walk(n.address, 0);
  if (!found || (accounts.size === 0 && external.size === 0)) return null;
  return { accounts: [...accounts.values()], external: [...external] };
}
