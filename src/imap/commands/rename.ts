/** RENAME (RFC 9051 §6.3.6), including INBOX (its messages move to the new mailbox). */
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseRenameArgs } from '../wire/args/misc.js';
import { refuseOtherUsers, trimDelimiter } from './mailbox-name.js';

export const renameCmd: ImapCommand = {
  name: 'RENAME',
  states: AUTHED,
  async run(s, req) {
    const { from, to: rawTo } = parseRenameArgs(req.args, s.names);
    const to = trimDelimiter(rawTo);
    if (to === 'INBOX') throw no('A mailbox cannot be renamed to INBOX', 'ALREADYEXISTS');
    refuseOtherUsers(from);
    refuseOtherUsers(to);
    await s.ctx.store.renameMailbox(s.accountId, from, to, { origin: s.id });
  },
};
