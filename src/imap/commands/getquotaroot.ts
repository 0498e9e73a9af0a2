/**
 * GETQUOTAROOT (RFC 9208 §4.1.2): `* QUOTAROOT <mailbox> ""` and the root's `* QUOTA`.
 * Every mailbox of the account belongs to its one root (./quota-root.ts).
 */
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { mailboxName } from '../session/names.js';
import { parseMailboxArg } from '../wire/args/misc.js';
import { astring, atom } from '../wire/encode.js';
import { OWN_ROOT, quotaResponse, rootAccount } from './quota-root.js';

export const getQuotaRootCmd: ImapCommand = {
  name: 'GETQUOTAROOT',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, req.name);
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
    const account = await rootAccount(s, OWN_ROOT);
    s.untagged(atom('QUOTAROOT'), mailboxName(s, info.name), astring(OWN_ROOT));
    s.untagged(...(await quotaResponse(s, OWN_ROOT, account)));
  },
};
