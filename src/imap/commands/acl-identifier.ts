/**
 * ACL identifiers (RFC 4314 §2, §3): account addresses (login names, compared without
 * case), "anyone" and "authenticated" (the same here: only logged-in sessions reach a
 * mailbox, and only accounts of the owner's domain match), each optionally negative
 * ("-name": rights taken away). Groups ("$name") are not supported.
 *
 * A name that is no account is accepted like an account's (an inert entry that never
 * grants anything, ../../store/acl.ts), so SETACL, DELETEACL and LISTRIGHTS answer the
 * same whether or not an account exists (Dovecot stores any name the same way).
 */
import type { AccountId } from '../../store/types.js';
import type { Identifier } from '../../store/acl.js';
import { no, type ImapSession } from '../session/types.js';

export type AclIdentifier = { kind: 'entry'; who: Identifier; owner: boolean } | { kind: 'unsupported'; why: string };

export async function aclIdentifier(s: ImapSession, identifier: string, ownerId: AccountId): Promise<AclIdentifier> {
  const negative = identifier.startsWith('-');
  const name = (negative ? identifier.slice(1) : identifier).toLowerCase();
  if (!name) return { kind: 'unsupported', why: `The identifier "${identifier}" is not valid` };
  if (name.startsWith('$')) return { kind: 'unsupported', why: `Groups ("${identifier}") are not supported; name an account address, anyone or authenticated` };
  if (name === 'anyone' || name === 'authenticated') return { kind: 'entry', who: { kind: name, negative }, owner: false };
  const account = name.includes('@') ? await s.ctx.store.getAccount(name) : null;
  if (!account) return { kind: 'entry', who: { kind: 'unknown', name, negative }, owner: false };
  return { kind: 'entry', who: { kind: 'account', id: account.id, address: account.address, negative }, owner: account.id === ownerId };
}

/**
 * The entry an identifier names that may be changed (not the mailbox's owner's), else NO
 * [CANNOT]. `granting`: rights are being given, which a user may give "anyone" or
 * "authenticated" only when auth.acl_anyone allows it (as Dovecot's acl_anyone).
 */
export async function grantee(s: ImapSession, identifier: string, ownerId: AccountId, granting = false): Promise<Identifier> {
  const who = await aclIdentifier(s, identifier, ownerId);
  if (who.kind === 'unsupported') throw no(who.why, 'CANNOT');
  if (who.owner) throw no("The owner's rights cannot be changed", 'CANNOT');
  const everyone = who.who.kind === 'anyone' || who.who.kind === 'authenticated';
  if (granting && everyone && !who.who.negative && s.ctx.config.auth.acl_anyone !== 'allow') {
    s.log.info({ identifier }, 'imap: SETACL for anyone refused (auth.acl_anyone = "deny")');
    throw no(`Rights for "${identifier}" are not given here (an administrator can: letterbox mailbox share)`, 'CANNOT');
  }
  return who.who;
}
