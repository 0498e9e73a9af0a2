/**
 * Mailbox sharing grants (RFC 4314 ACL entries), kept in the keyed state (kv-types.ts), so
 * every backend has them without a table of its own.
 *
 * - The owner's entries (ns "acl.grant", scope = owner account, key "<mailboxId> <who>",
 *   value {"address","rights"}) are the truth. <who> is an account id ("17"), "anyone",
 *   "authenticated", or "=<name>" for an identifier that named no account when it was set;
 *   a leading "-" makes the entry negative (RFC 4314 §2: rights taken away). They go with
 *   the owner's account; DELETE of a mailbox removes its entries (dropMailboxGrants);
 *   RENAME keeps the mailbox id, so grants follow the mailbox.
 * - Effective rights (RFC 4314 §2) are the union of the positive entries that match the
 *   account minus the union of the matching negative ones. "anyone" and "authenticated"
 *   mean the same here (every session that reaches a mailbox is logged in) and match
 *   only accounts of the owner's domain: a grant never reaches another domain's users.
 * - An entry for a name that was no account ("=<name>") grants nothing, ever, also when an
 *   account of that name is created later (SETACL accepts it so that its answer does not
 *   tell whether an account exists; a grant to the new account must be made again).
 * - A server-wide reverse index (ns "acl.shared") lets a grantee find what is shared with
 *   it: "<granteeId> <ownerId> <mailboxId>" for a grant to one account, "@<domain>
 *   <ownerId> <mailboxId>" for "anyone"/"authenticated". It is only a hint: an entry
 *   whose owner entry, owner account or mailbox is gone counts as absent.
 * - An account grant names the grantee by id and by address: it holds only while the
 *   account with that id still has that address (a removed account's grants never pass to
 *   a later one).
 * Writes touch the reverse index first when granting and last when revoking, so a failure
 * in between leaves at most a stale hint, never an unlisted grant.
 */
import { canonical } from './acl-rights.js';
import type { Account, AccountId, MailboxId, MailboxInfo, Store } from './types.js';
import { domainOf } from './util.js';

export type AclStore = Pick<Store, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete' | 'getAccount' | 'getAccountById' | 'listMailboxes'>;

const NS = 'acl.grant';
const NS_SHARED = 'acl.shared';
/** entries per mailbox (NO [LIMIT] beyond) */
export const MAX_GRANTS_PER_MAILBOX = 100;

/** who an ACL entry is for (RFC 4314 §2 identifiers) */
export type Identifier =
  | { kind: 'account'; id: AccountId; address: string; negative: boolean }
  | { kind: 'anyone' | 'authenticated'; negative: boolean }
  /** a name that was no account when the entry was made: never matches anyone */
  | { kind: 'unknown'; name: string; negative: boolean };

export interface Grant {
  identifier: Identifier;
  rights: string;
}

interface Stored {
  address: string;
  rights: string;
}


/** the identifier of one account's (positive or negative) entry */
export function accountIdentifier(a: Pick<Account, 'id' | 'address'>, negative = false): Identifier {
  return { kind: 'account', id: a.id, address: a.address, negative };
}

/** the identifier as RFC 4314 responses spell it */
export function identifierText(who: Identifier): string {
  const base = who.kind === 'account' ? who.address : who.kind === 'unknown' ? who.name : who.kind;
  return (who.negative ? '-' : '') + base;
}

function whoKey(who: Identifier): string {
  const base = who.kind === 'account' ? String(who.id) : who.kind === 'unknown' ? `=${who.name}` : who.kind;
  return (who.negative ? '-' : '') + base;
}

const grantKey = (mailboxId: MailboxId, who: Identifier) => `${mailboxId} ${whoKey(who)}`;
const sharedKey = (granteeId: AccountId, ownerId: AccountId, mailboxId: MailboxId) => `${granteeId} ${ownerId} ${mailboxId}`;
const domainKey = (domain: string, ownerId: AccountId, mailboxId: MailboxId) => `@${domain} ${ownerId} ${mailboxId}`;

function decode(value: string): Stored | null {
  try {
    const v = JSON.parse(value) as Partial<Stored>;
    return typeof v.address === 'string' && typeof v.rights === 'string' ? { address: v.address, rights: canonical(v.rights) } : null;
  } catch {
    return null;
  }
}

/** the identifier of a stored entry ("<mailboxId> <who>"), null when unreadable */
function parseEntry(key: string, stored: Stored): Identifier | null {
  let who = key.slice(key.indexOf(' ') + 1);
  const negative = who.startsWith('-');
  if (negative) who = who.slice(1);
  if (who === 'anyone' || who === 'authenticated') return { kind: who, negative };
  if (who.startsWith('=')) return { kind: 'unknown', name: who.slice(1), negative };
  const id = Number(who);
  return who && Number.isSafeInteger(id) ? { kind: 'account', id, address: stored.address, negative } : null;
}

/** the entries of one mailbox that still mean something (an account entry whose account is gone does not), in identifier order */
export async function grantsOn(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<Grant[]> {
  const out: Grant[] = [];
  for (const e of await store.kvList(NS, ownerId, { prefix: `${mailboxId} ` })) {
    const g = decode(e.value);
    const who = g && parseEntry(e.key, g);
    if (!g || !who) continue;
    if (who.kind === 'account') {
      const acct = await store.getAccountById(who.id);
      if (!acct || acct.address !== who.address) continue;
    } else if (who.kind === 'unknown' && (await store.getAccount(who.name))) {
      // inert since an account of that name exists (it never passes to it): not listed
      continue;
    }
    out.push({ identifier: who, rights: g.rights });
  }
  const text = (g: Grant) => identifierText(g.identifier);
  return out.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** the rights of one entry as stored ("" = no entry), whether or not it is in effect */
export async function entryRights(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, who: Identifier): Promise<string> {
  const k = grantKey(mailboxId, who);
  const e = (await store.kvGet(NS, ownerId, [k])).get(k);
  const g = e ? decode(e.value) : null;
  if (!g) return '';
  return who.kind === 'account' && g.address !== who.address ? '' : g.rights;
}

/** the rights `grantee` holds on another account's mailbox ("" = none): RFC 4314 §2, positive entries minus negative ones */
export async function grantedRights(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, grantee: Pick<Account, 'id' | 'address'>): Promise<string> {
  const keys = [String(grantee.id), 'anyone', 'authenticated'].flatMap((w) => [`${mailboxId} ${w}`, `${mailboxId} -${w}`]);
  const found = await store.kvGet(NS, ownerId, keys);
  if (!found.size) return '';
  let sameDomain: boolean | undefined;
  let plus = '';
  let minus = '';
  for (const [key, e] of found) {
    const g = decode(e.value);
    const who = g && parseEntry(key, g);
    if (!g || !who) continue;
    if (who.kind === 'account') {
      if (g.address !== grantee.address) continue;
    } else {
      // "anyone"/"authenticated": the owner's domain only
      if (sameDomain === undefined) {
        const owner = await store.getAccountById(ownerId);
        sameDomain = !!owner && domainOf(owner.address) === domainOf(grantee.address);
      }
      if (!sameDomain) continue;
    }
    if (who.negative) minus += g.rights;
    else plus += g.rights;
  }
  return canonical([...plus].filter((r) => !minus.includes(r)).join(''));
}

/** the rights of "anyone" (positive minus "-anyone"): what a sender who is no account of the domain holds, e.g. "p" to post by mail */
export async function anyoneRights(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<string> {
  const plus = await entryRights(store, ownerId, mailboxId, { kind: 'anyone', negative: false });
  const minus = plus ? await entryRights(store, ownerId, mailboxId, { kind: 'anyone', negative: true }) : '';
  return canonical([...plus].filter((r) => !minus.includes(r)).join(''));
}

/** sets an entry's rights (replacing what it had); empty rights remove the entry */
export async function setGrant(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, who: Identifier, rights: string): Promise<void> {
  const set = canonical(rights);
  if (!set) {
    await removeGrant(store, ownerId, mailboxId, who);
    return;
  }
  const hint = await hintFor(store, ownerId, mailboxId, who);
  if (hint) await store.kvSet(NS_SHARED, null, [{ key: hint, value: '' }]);
  const address = who.kind === 'account' ? who.address : who.kind === 'unknown' ? who.name : who.kind;
  await store.kvSet(NS, ownerId, [{ key: grantKey(mailboxId, who), value: JSON.stringify({ address, rights: set }) }]);
}

/** the reverse-index key a positive entry needs, null for entries that are not listed (negative, unknown) */
async function hintFor(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, who: Identifier): Promise<string | null> {
  if (who.negative || who.kind === 'unknown') return null;
  if (who.kind === 'account') return sharedKey(who.id, ownerId, mailboxId);
  const owner = await store.getAccountById(ownerId);
  return owner ? domainKey(domainOf(owner.address), ownerId, mailboxId) : null;
}

/** removes one entry; true when there was one */
export async function removeGrant(store: AclStore, ownerId: AccountId, mailboxId: MailboxId, who: Identifier): Promise<boolean> {
  const n = await store.kvDelete(NS, ownerId, [grantKey(mailboxId, who)]);
  const hint = await hintFor(store, ownerId, mailboxId, who);
  if (hint && who.kind !== 'account') {
    // "anyone" and "authenticated" share one hint: it goes with the last of them
    const other: Identifier = { kind: who.kind === 'anyone' ? 'authenticated' : 'anyone', negative: false };
    if (await entryRights(store, ownerId, mailboxId, other)) return n > 0;
  }
  if (hint) await store.kvDelete(NS_SHARED, null, [hint]);
  return n > 0;
}

/** how many entries a mailbox's ACL has (entries of removed accounts do not count) */
export async function grantCount(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<number> {
  return (await grantsOn(store, ownerId, mailboxId)).length;
}

/** RFC 4314 §4: a new mailbox takes the ACL of its parent */
export async function copyGrants(store: AclStore, ownerId: AccountId, fromMailbox: MailboxId, toMailbox: MailboxId): Promise<void> {
  for (const g of await grantsOn(store, ownerId, fromMailbox)) await setGrant(store, ownerId, toMailbox, g.identifier, g.rights);
}

/** RFC 4314 §4: DELETE removes the mailbox's ACL */
export async function dropMailboxGrants(store: AclStore, ownerId: AccountId, mailboxId: MailboxId): Promise<void> {
  const entries = await store.kvList(NS, ownerId, { prefix: `${mailboxId} ` });
  if (!entries.length) return;
  const hints: string[] = [];
  for (const e of entries) {
    const g = decode(e.value);
    const who = g && parseEntry(e.key, g);
    const hint = who && (await hintFor(store, ownerId, mailboxId, who));
    if (hint) hints.push(hint);
  }
  await store.kvDelete(NS, ownerId, entries.map((e) => e.key));
  if (hints.length) await store.kvDelete(NS_SHARED, null, hints);
}

export interface SharedMailbox {
  owner: Account;
  mailbox: MailboxInfo;
  rights: string;
}

/** every mailbox of other accounts that `grantee` holds some right on (its own grants and its domain's "anyone" ones), by owner address then name */
export async function sharedWith(store: AclStore, grantee: Pick<Account, 'id' | 'address'>): Promise<SharedMailbox[]> {
  const owners = new Map<AccountId, { account: Account; boxes: Map<MailboxId, MailboxInfo> } | null>();
  const out: SharedMailbox[] = [];
  const seen = new Set<string>();
  /** hints to a removed account or mailbox: nothing can make them true again (ids are not reused) */
  const dead: string[] = [];
  const hints = [
    ...(await store.kvList(NS_SHARED, null, { prefix: `${grantee.id} ` })),
    ...(await store.kvList(NS_SHARED, null, { prefix: `@${domainOf(grantee.address)} ` })),
  ];
  for (const e of hints) {
    const [, o, m] = e.key.split(' ').map(Number);
    if (!Number.isSafeInteger(o) || !Number.isSafeInteger(m) || o === grantee.id || seen.has(`${o} ${m}`)) continue;
    seen.add(`${o} ${m}`);
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

/** every ACL entry `owner` has made, by mailbox name then identifier */
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
