/**
 * ACL identifiers (RFC 4314 §2, §3): this server's identifiers are account addresses
 * (login names), compared without case. "anyone", groups ("$name") and negative rights
 * ("-name") are not supported; an address that names no account cannot be given rights.
 */
import type { Account, AccountId } from '../../store/types.js';
import { no, type ImapSession } from '../session/types.js';

export type AclIdentifier =
  | { kind: 'account'; account: Account; owner: boolean }
  | { kind: 'unsupported'; why: string };

export async function aclIdentifier(s: ImapSession, identifier: string, ownerId: AccountId): Promise<AclIdentifier> {
  if (identifier.startsWith('-')) return { kind: 'unsupported', why: 'Negative rights are not supported' };
  if (identifier.startsWith('$') || identifier.toLowerCase() === 'anyone' || identifier.toLowerCase() === 'authenticated') {
    return { kind: 'unsupported', why: `The identifier "${identifier}" is not supported; name an account address` };
  }
  const account = identifier.includes('@') ? await s.ctx.store.getAccount(identifier) : null;
  if (!account) return { kind: 'unsupported', why: `No account "${identifier}" to give rights to` };
  return { kind: 'account', account, owner: account.id === ownerId };
}

/** the account an identifier names whose grant may be changed (not the mailbox's owner), else NO [CANNOT] */
export async function grantee(s: ImapSession, identifier: string, ownerId: AccountId): Promise<Account> {
  const who = await aclIdentifier(s, identifier, ownerId);
  if (who.kind === 'unsupported') throw no(who.why, 'CANNOT');
  if (who.owner) throw no("The owner's rights cannot be changed", 'CANNOT');
  return who.account;
}
