/**
 * Which account's mailbox a name means, and with which rights (RFC 4314 §4; RFC 2342
 * namespaces). Every command that takes a mailbox name resolves it here, so the one check
 * that keeps accounts apart is in one place:
 *
 * - A personal name ("INBOX", "Lists/ietf") is the session's own mailbox; the owner holds
 *   every right.
 * - "Other Users/<address>/<name>" is <name> in the account <address>, with the rights the
 *   owner granted this account (../../store/acl.ts). No grant means no rights.
 * - "Shared/<name>" (the shared or public namespace, RFC 2342 §5) is <name> of the
 *   session's domain's shared-mailbox owner (../../store/shared-owner.ts), with the rights
 *   its ACL gives this account, exactly as for Other Users. That owner's mailboxes have
 *   this one name for the domain's accounts (not also an Other Users one); accounts of
 *   other domains that are granted one see it under Other Users/shared@<domain>/.
 * - A command needing a right it lacks gets NO [NOPERM] when the user may see the mailbox
 *   (holds "l"), otherwise NO [NONEXISTENT] worded exactly as for a name that does not
 *   exist, so nothing tells an absent mailbox from one the user may not see.
 */
import { ALL_RIGHTS, hasRight, type Right } from '../../store/acl-rights.js';
import { grantedRights } from '../../store/acl.js';
import { isSharedOwner, sharedOwnerOf } from '../../store/shared-owner.js';
import { MAILBOX_DELIMITER, type Account, type AccountId, type MailboxInfo } from '../../store/types.js';
import { domainOf } from '../../store/util.js';
import { no, type ImapError, type ImapSession } from './types.js';
import type { SelectedView } from './selected.js';

/** the "Other Users" namespace (RFC 2342 §5): its prefix ends with the delimiter */
export const OTHER_USERS = 'Other Users';
export const OTHER_USERS_PREFIX = OTHER_USERS + MAILBOX_DELIMITER;
/** the shared (public) namespace (RFC 2342 §5) */
export const SHARED_NS = 'Shared';
export const SHARED_PREFIX = SHARED_NS + MAILBOX_DELIMITER;

export type ParsedName =
  | { kind: 'personal'; name: string }
  /** inside the namespace; `address` empty for the namespace itself, `name` empty for a user's root */
  | { kind: 'other'; address: string; name: string }
  /** inside the shared namespace; `name` empty for the namespace itself */
  | { kind: 'public'; name: string };

/** which namespace a (decoded) mailbox name lies in; pure */
export function parseName(name: string): ParsedName {
  if (name === SHARED_NS || name.startsWith(SHARED_PREFIX)) {
    const inner = name.slice(SHARED_PREFIX.length);
    return { kind: 'public', name: inner.toUpperCase() === 'INBOX' ? 'INBOX' : inner };
  }
  if (name !== OTHER_USERS && !name.startsWith(OTHER_USERS_PREFIX)) return { kind: 'personal', name };
  const rest = name.slice(OTHER_USERS_PREFIX.length);
  const cut = rest.indexOf(MAILBOX_DELIMITER);
  const address = (cut < 0 ? rest : rest.slice(0, cut)).toLowerCase();
  const inner = cut < 0 ? '' : rest.slice(cut + 1);
  // the owner's INBOX is named INBOX whatever the case the client used (RFC 9051 §5.1)
  return { kind: 'other', address, name: inner.toUpperCase() === 'INBOX' ? 'INBOX' : inner };
}

/** the name a mailbox of `ownerAddress` has for another account */
export function sharedName(ownerAddress: string, name: string): string {
  return `${OTHER_USERS_PREFIX}${ownerAddress}${MAILBOX_DELIMITER}${name}`;
}

/** whether `owner` is the shared-mailbox owner of the session's own domain */
function isOwnSharedOwner(s: ImapSession, owner: Pick<Account, 'address' | 'passwordHash'>): boolean {
  return isSharedOwner(owner) && domainOf(owner.address) === domainOf(s.account!.address);
}

/** the name another account's mailbox has for this session: "Shared/<name>" or "Other Users/<owner>/<name>" */
export function nameFor(s: ImapSession, owner: Pick<Account, 'address' | 'passwordHash'>, name: string): string {
  return isOwnSharedOwner(s, owner) ? SHARED_PREFIX + name : sharedName(owner.address, name);
}

/** the account a name outside the personal namespace lies in (never the session's own), null when none */
async function ownerOf(s: ImapSession, p: Exclude<ParsedName, { kind: 'personal' }>): Promise<Account | null> {
  if (p.kind === 'public') return p.name ? sharedOwnerOf(s.ctx.store, domainOf(s.account!.address)) : null;
  if (!p.address || !p.name) return null;
  const owner = await s.ctx.store.getAccount(p.address);
  // one name per mailbox: the domain's shared mailboxes are reached under Shared/ only
  if (!owner || owner.id === s.accountId || isOwnSharedOwner(s, owner)) return null;
  return owner;
}

/** a mailbox as one session may use it */
export interface MailboxAccess {
  info: MailboxInfo;
  /** the account the mailbox belongs to */
  owner: AccountId;
  /** the name as this session calls it */
  name: string;
  /** this session's rights (RFC 4314 §2.1 letters) */
  rights: string;
  own: boolean;
}

/** the mailbox `name` means for this session, or null when it does not exist or is another account's without any grant */
export async function lookupMailbox(s: ImapSession, name: string): Promise<MailboxAccess | null> {
  const p = parseName(name);
  if (p.kind === 'personal') {
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    return info ? { info, owner: s.accountId, name: info.name, rights: ALL_RIGHTS, own: true } : null;
  }
  const owner = await ownerOf(s, p);
  if (!owner) return null;
  const info = await s.ctx.store.getMailbox(owner.id, p.name);
  if (!info) return null;
  const rights = await grantedRights(s.ctx.store, owner.id, info.id, s.account!);
  if (!rights) return null;
  return { info, owner: owner.id, name: nameFor(s, owner, info.name), rights, own: false };
}

/** the NO for a mailbox that is absent or that the user may not see */
export function nonexistent(name: string, code: 'NONEXISTENT' | 'TRYCREATE' = 'NONEXISTENT'): ImapError {
  return no(`Mailbox "${name}" does not exist`, code);
}

/** throws unless `a` grants every right of `need` (RFC 4314 §4) */
export function requireRights(a: { rights: string; name: string }, need: string): void {
  for (const r of need) {
    if (hasRight(a.rights, r as Right)) continue;
    if (!hasRight(a.rights, 'l')) throw nonexistent(a.name);
    throw no(`Permission denied on "${a.name}" (the ${r} right is needed)`, 'NOPERM');
  }
}

/**
 * The mailbox `name` with the rights `need` (letters, all required), else NO: NONEXISTENT
 * (or `missing` for a personal name, e.g. TRYCREATE for APPEND and COPY), NOPERM.
 */
export async function accessMailbox(s: ImapSession, name: string, need: string, missing: 'NONEXISTENT' | 'TRYCREATE' = 'NONEXISTENT'): Promise<MailboxAccess> {
  const a = await lookupMailbox(s, name);
  if (!a) throw nonexistent(name, parseName(name).kind === 'personal' ? missing : 'NONEXISTENT');
  requireRights(a, need);
  return a;
}

/** where a new mailbox name lies: the account, the name there, and its nearest existing parent with this session's rights */
export interface NewMailboxPlace {
  owner: AccountId;
  /** the name in the owner's account */
  name: string;
  own: boolean;
  /** the nearest existing parent mailbox (RFC 4314 §4 CREATE), null at the top */
  parent: MailboxAccess | null;
}

/**
 * RFC 4314 §4: CREATE needs "k" on the nearest existing parent, and so does the new name of
 * a RENAME. In the user's own account anything may be created; in another account (and
 * in Shared/) only below a parent that grants "k". Anything else (no such account, no parent, a parent
 * without "k") is the same NO [NOPERM], which names nothing it found.
 */
export async function placeForNew(s: ImapSession, name: string): Promise<NewMailboxPlace> {
  const p = parseName(name);
  const refused = () => no(`Permission denied: mailboxes cannot be created as "${name}"`, 'NOPERM');
  let owner: Account | null = null;
  let inner: string;
  if (p.kind === 'personal') inner = p.name;
  else {
    owner = await ownerOf(s, p);
    if (!owner) throw refused();
    inner = p.name;
  }
  const ownerId = owner?.id ?? s.accountId;
  const segs = inner.split(MAILBOX_DELIMITER);
  let parent: MailboxAccess | null = null;
  for (let i = segs.length - 1; i >= 1 && !parent; i--) {
    const info = await s.ctx.store.getMailbox(ownerId, segs.slice(0, i).join(MAILBOX_DELIMITER));
    if (!info) continue;
    parent = owner
      ? { info, owner: ownerId, name: nameFor(s, owner, info.name), rights: await grantedRights(s.ctx.store, ownerId, info.id, s.account!), own: false }
      : { info, owner: ownerId, name: info.name, rights: ALL_RIGHTS, own: true };
  }
  if (owner && (!parent || !hasRight(parent.rights, 'k'))) throw refused();
  return { owner: ownerId, name: inner, own: !owner, parent };
}

/**
 * Before each command on another account's selected mailbox: the rights as they are now
 * (a revoked grant takes effect at the client's next command; RFC 4314 §5.1.1 allows it).
 */
export async function refreshRights(s: ImapSession, v: SelectedView): Promise<void> {
  if (v.owner === s.accountId) return;
  v.rights = await grantedRights(s.ctx.store, v.owner, v.mailboxId, s.account!);
}
