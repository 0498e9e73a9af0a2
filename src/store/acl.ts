/**
 * Mailbox sharing grants (RFC 4314 ACL entries), kept in the keyed state (kv-types.ts), so
 * every backend has them without a table of its own.
 *
 * - The owner's entries (ns "acl.grant", scope = owner account, key "<mailboxId> <granteeId>",
 *   value {"address","rights"}) are the truth. They go with the owner's account; DELETE of a
 *   mailbox removes its entries (dropMailboxGrants); RENAME keeps the mailbox id, so grants
 *   follow the mailbox.
 * - A server-wide reverse index (ns "acl.shared", key "<granteeId> <ownerId> <mailboxId>")
 *   lets a grantee find what is shared with it. It is only a hint: an entry whose owner
 *   entry, owner account or mailbox is gone counts as absent.
 * - A grant names the grantee by id and by address: it holds only while the account with
 *   that id still has that address (a removed account's grants never pass to a later one).
 * Writes touch the reverse index first when granting and last when revoking, so a failure
 * in between leaves at most a stale hint, never an unlisted grant.
 */
import { canonical } from './acl-rights.js';
import type { Account, AccountId, MailboxId, MailboxInfo, Store } from './types.js';

export type AclStore = Pick<Store, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete' | 'getAccountById' | 'listMailboxes'>;

const NS = 'acl.grant';
const NS_SHARED = 'acl.shared';
/** grants per mailbox (NO [LIMIT] beyond) */
export const MAX_GRANTS_PER_MAILBOX = 100;

export interface Grant {
  granteeId: AccountId;
  address: string;
  rights: string;
}

interface Stored {
  address: string;
  rights: string;
}

const grantKey = (mailboxId: MailboxId, granteeId: AccountId) => `${mailboxId} ${granteeId}`;
const sharedKey = (granteeId: AccountId, ownerId: AccountId, mailboxId: MailboxId) => `${granteeId} ${ownerId} ${mailboxId}`;

function decode(value: string): Stored | null {
  try {
    const v = JSON.parse(value) as Partial<Stored>;
    return typeof v.address === 'string' && typeof v.rights === 'string' ? { address: v.address, rights: canonical(v.rights) } : null;
  } catch {
    return null;
  }
}

/** the grants on one mailbox whose grantee account still exists, in address order */
export async function grantsOn(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<Grant[]> {
  const out: Grant[] = [];
  for (const e of await store.kvList(NS, ownerId, { prefix: `${mailboxId} ` })) {
    const g = decode(e.value);
    const granteeId = Number(e.key.slice(e.key.indexOf(' ') + 1));
    if (!g || !Number.isSafeInteger(granteeId)) continue;
    const acct = await store.getAccountById(granteeId);
    if (acct && acct.address === g.address) out.push({ granteeId, address: g.address, rights: g.rights });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** the rights `grantee` holds on another account's mailbox ("" = none) */
export async function grantedRights(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, grantee: Pick<Account, 'id' | 'address'>): Promise<string> {
  const k = grantKey(mailboxId, grantee.id);
  const e = (await store.kvGet(NS, ownerId, [k])).get(k);
  const g = e ? decode(e.value) : null;
  return g && g.address === grantee.address ? g.rights : '';
}

/** grants `rights` (replacing what the grantee had); empty rights remove the grant */
export async function setGrant(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, grantee: Pick<Account, 'id' | 'address'>, rights: string): Promise<void> {
  const set = canonical(rights);
  if (!set) {
    await removeGrant(store, ownerId, mailboxId, grantee.id);
    return;
  }
  await store.kvSet(NS_SHARED, null, [{ key: sharedKey(grantee.id, ownerId, mailboxId), value: '' }]);
  await store.kvSet(NS, ownerId, [{ key: grantKey(mailboxId, grantee.id), value: JSON.stringify({ address: grantee.address, rights: set }) }]);
}

/** removes one grantee's entry; true when there was one */
export async function removeGrant(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, granteeId: AccountId): Promise<boolean> {
  const n = await store.kvDelete(NS, ownerId, [grantKey(mailboxId, granteeId)]);
  await store.kvDelete(NS_SHARED, null, [sharedKey(granteeId, ownerId, mailboxId)]);
  return n > 0;
}

/** how many accounts a mailbox is shared with (grants to removed accounts do not count) */
export async function grantCount(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<number> {
  return (await grantsOn(store, ownerId, mailboxId)).length;
}

/** RFC 4314 §4: a new mailbox takes the ACL of its parent */
export async function copyGrants(store: AclStore, ownerId: AccountId, fromMailbox: MailboxId, toMailbox: MailboxId): Promise<void> {
  for (const g of await grantsOn(store, ownerId, fromMailbox)) await setGrant(store, ownerId, toMailbox, { id: g.granteeId, address: g.address }, g.rights);
}

/** RFC 4314 §4: DELETE removes the mailbox's ACL */
export async function dropMailboxGrants(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<void> {
  const entries = await store.kvList(NS, ownerId, { prefix: `${mailboxId} ` });
  if (!entries.length) return;
  await store.kvDelete(NS, ownerId, entries.map((e) => e.key));
  const hints = entries.map((e) => sharedKey(Number(e.key.slice(e.key.indexOf(' ') + 1)), ownerId, mailboxId));
  await store.kvDelete(NS_SHARED, null, hints);
}

export interface SharedMailbox {
  owner: Account;
  mailbox: MailboxInfo;
  rights: string;
}

/** every mailbox of other accounts that `grantee` holds some right on, by owner address then name */
export async function sharedWith(store: AclStore, grantee: Pick<Account, 'id' | 'address'>): Promise<SharedMailbox[]> {
  const owners = new Map<AccountId, { account: Account; boxes: Map<MailboxId, MailboxInfo> } | null>();
  const out: SharedMailbox[] = [];
  /** hints to a removed account or mailbox: nothing can make them true again (ids are not reused) */
  const dead: string[] = [];
  for (const e of await store.kvList(NS_SHARED, null, { prefix: `${grantee.id} ` })) {
    const [, o, m] = e.key.split(' ').map(Number);
    if (!Number.isSafeInteger(o) || !Number.isSafeInteger(m) || o === grantee.id) continue;
    let owner = owners.get(o!);
    if (owner === undefined) {
      const account = await store.getAccountById(o!);
      owner = account ? { account, boxes: new Map((await store.listMailboxes(o!)).map((b) => [b.id, b])) } : null;
      owners.set(o!, owner);
    }
    const mailbox = owner?.boxes.get(m!);
    if (!owner || !mailbox) {
      dead.push(e.key);
      continue;
    }
    const rights = await grantedRights(store, o!, m!, grantee);
    if (rights) out.push({ owner: owner.account, mailbox, rights });
  }
  if (dead.length) await store.kvDelete(NS_SHARED, null, dead);
  return out.sort((a, b) => (a.owner.address + '\0' + a.mailbox.name < b.owner.address + '\0' + b.mailbox.name ? -1 : 1));
}

/** every grant `owner` has made, by mailbox name then grantee */
export async function grantsBy(store: AclStore, ownerId: AccountId): Promise<Array<{ mailbox: MailboxInfo; grants: Grant[] }>> {
  const out: Array<{ mailbox: MailboxInfo; grants: Grant[] }> = [];
  const withEntries = new Set((await store.kvList(NS, ownerId)).map((e) => Number(e.key.slice(0, e.key.indexOf(' ')))));
  for (const mailbox of await store.listMailboxes(ownerId)) {
    if (!withEntries.has(mailbox.id)) continue;
    const grants = await grantsOn(store, ownerId, mailbox.id);
    if (grants.length) out.push({ mailbox, grants });
  }
  return out;
}
