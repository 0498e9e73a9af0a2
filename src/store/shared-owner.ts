/**
 * The owner of a domain's shared (public) mailboxes: an account "shared@<domain>" that no
 * one can log in as (its password hash is NO_LOGIN, which no password matches and which the
 * authenticator refuses before any hashing). Its mailboxes are what IMAP shows every
 * account of the domain under the "Shared/" namespace (src/imap/session/access.ts), each
 * with the rights its ACL gives (./acl.ts; "anyone" = every account of the domain). They
 * belong to no user: only an administrator makes top-level ones
 * (`letterbox mailbox create-shared`), an account holding "k" on one may create below it.
 *
 * Being an ordinary account keeps everything else as it is: UIDs, MODSEQs, quota, the
 * change bus, every store backend. A user account of the same address is never taken for
 * the owner (the hash tells them apart), and create-shared refuses to use it.
 */
import type { Account, Store } from './types.js';

export const SHARED_LOCAL_PART = 'shared';
/** a password hash no password matches (not a PHC string) */
export const NO_LOGIN = '!no-login:shared-mailboxes';

export const sharedOwnerAddress = (domain: string): string => `${SHARED_LOCAL_PART}@${domain.toLowerCase()}`;

export function isSharedOwner(a: Pick<Account, 'address' | 'passwordHash'>): boolean {
  return a.passwordHash === NO_LOGIN && a.address.startsWith(`${SHARED_LOCAL_PART}@`);
}

/** the shared-mailbox owner of `domain`, null when the domain has none */
export async function sharedOwnerOf(store: Pick<Store, 'getAccount'>, domain: string): Promise<Account | null> {
  const a = await store.getAccount(sharedOwnerAddress(domain));
  return a && isSharedOwner(a) ? a : null;
}

export class SharedOwnerError extends Error {}

/**
 * The owner for `domain`, made when missing (only INBOX kept: the special-use mailboxes
 * every new account gets mean nothing here). Throws SharedOwnerError when a user account
 * already has the address.
 */
export async function ensureSharedOwner(store: Pick<Store, 'getAccount' | 'createAccount' | 'listMailboxes' | 'deleteMailbox'>, domain: string): Promise<Account> {
  const address = sharedOwnerAddress(domain);
  const existing = await store.getAccount(address);
  if (existing) {
    if (isSharedOwner(existing)) return existing;
    throw new SharedOwnerError(`${address} is a user account; shared mailboxes need that address for their owner`);
  }
  const owner = await store.createAccount(address, NO_LOGIN);
  for (const m of await store.listMailboxes(owner.id)) if (m.name !== 'INBOX') await store.deleteMailbox(owner.id, m.name);
  return owner;
}
