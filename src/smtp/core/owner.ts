/**
 * Which sender addresses an account may use on submission (RFC 6409 §6.1, DESIGN.md
 * "a sender address the account owns"): its own address, its plus-addresses
 * (user+tag@domain), and aliases whose source is exactly that address and whose
 * destinations include the account. A catch-all does not make every address of the
 * domain the account's own.
 */
import type { Account, Store } from '../../store/types.js';
import { domainOf, normalizeAddress } from './session.js';

export async function ownsAddress(store: Store, account: Account, address: string): Promise<boolean> {
  const addr = normalizeAddress(address);
  if (!addr || addr === account.address) return addr === account.address;
  const at = addr.lastIndexOf('@');
  if (at <= 0) return false;
  const local = addr.slice(0, at);
  const plus = local.indexOf('+');
  if (plus > 0 && `${local.slice(0, plus)}@${addr.slice(at + 1)}` === account.address) return true;
  const aliases = await store.listAliases(domainOf(addr));
  if (!aliases.some((a) => a.source.toLowerCase() === addr)) return false;
  const resolved = await store.resolveRecipient(addr);
  return !!resolved?.accounts.some((a) => a.id === account.id);
}
