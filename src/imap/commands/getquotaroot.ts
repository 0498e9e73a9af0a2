/**
 * GETQUOTAROOT (RFC 9208 §4.1.2): `* QUOTAROOT <mailbox> ""` and the root's `* QUOTA`.
 * Every mailbox of the account belongs to its one root (./quota-root.ts). A mailbox another
 * account shares with this one (RFC 4314) has no quota root this user may read: its
 * QUOTAROOT names none, and its owner's quota is not shown.
 */
import { lookupMailbox, nonexistent } from '../session/access.js';
import { AUTHED, type ImapCommand } from '../session/types.js';
import { mailboxName } from '../session/names.js';
import { parseMailboxArg } from '../wire/args/misc.js';
import { astring, atom } from '../wire/encode.js';
import { OWN_ROOT, quotaResponse, rootAccount } from './quota-root.js';

export const getQuotaRootCmd: ImapCommand = {
  name: 'GETQUOTAROOT',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, req.name);
    const box = await lookupMailbox(s, name);
    if (!box) throw nonexistent(name);
    if (!box.own) {
      s.untagged(atom('QUOTAROOT'), mailboxName(s, box.name));
      return;
    }
    const account = await rootAccount(s, OWN_ROOT);
    s.untagged(atom('QUOTAROOT'), mailboxName(s, box.name), astring(OWN_ROOT));
    s.untagged(...(await quotaResponse(s, OWN_ROOT, account)));
  },
};
