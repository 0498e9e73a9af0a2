/**
 * Quota roots and resources (RFC 9208), shared by GETQUOTA, GETQUOTAROOT and SETQUOTA.
 *
 * - Every account has one quota root, named "" (as in RFC 9208's examples): all its
 *   mailboxes belong to it. An administrator (`letterbox user admin`) may also name another
 *   account's root by its address; to anyone else such a name does not exist (NONEXISTENT,
 *   whether or not the account does).
 * - STORAGE (§5.1, units of 1024 octets): usage is the same figure the store checks APPEND,
 *   COPY and delivery against (Store.usedBytes: every copy of every message plus
 *   POP3-retained messages), rounded up; the limit is the account's quota (quotaBytes,
 *   `letterbox user quota`), rounded down. Listed only when the account has a quota.
 * - MAILBOX (§5.3): the number of the account's mailboxes against limits.mailboxes_per_account
 *   (one limit for every account, set in the configuration).
 * - MESSAGE (§5.2) is not offered: nothing limits the number of messages.
 */
import { isAdmin } from '../../auth/roles.js';
import type { Account } from '../../store/types.js';
import { no, type ImapSession } from '../session/types.js';
import { astring, atom, type WireValue } from '../wire/encode.js';

/** the root all of a session's own mailboxes belong to */
export const OWN_ROOT = '';

/** the account a quota root name stands for, for this session */
export async function rootAccount(s: ImapSession, root: string): Promise<Account> {
  if (root === OWN_ROOT) {
    const own = await s.ctx.store.getAccountById(s.accountId);
    if (own) return own;
  } else if (await isAdmin(s.ctx.store, s.accountId)) {
    const other = await s.ctx.store.getAccount(root.toLowerCase());
    if (other) return other;
  }
  s.log.info({ root: root.slice(0, 100) }, 'imap: unknown quota root');
  throw no(`No quota root "${root.slice(0, 100)}"`, 'NONEXISTENT');
}

/** `QUOTA root (resource usage limit ...)` (RFC 9208 §4.2.1) */
export async function quotaResponse(s: ImapSession, root: string, account: Account): Promise<WireValue[]> {
  const resources: WireValue[] = [];
  if (account.quotaBytes > 0) {
    const used = await s.ctx.store.usedBytes(account.id);
    resources.push(atom('STORAGE'), Math.ceil(used / 1024), Math.floor(account.quotaBytes / 1024));
  }
  const mailboxes = await s.ctx.store.listMailboxes(account.id);
  resources.push(atom('MAILBOX'), mailboxes.length, s.ctx.config.limits.mailboxes_per_account);
  return [atom('QUOTA'), astring(root), resources];
}
