/**
 * RENAME (RFC 9051 §6.3.6), including INBOX (its messages move to the new mailbox). In
 * another account's namespace (RFC 4314 §4) it needs "x" on the mailbox and "k" on the new
 * name's nearest existing parent, and stays within that account; grants stay with the
 * mailbox.
 */
import { accessMailbox, parseName, placeForNew } from '../session/access.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseRenameArgs } from '../wire/args/misc.js';
import { trimDelimiter } from './mailbox-name.js';

export const renameCmd: ImapCommand = {
  name: 'RENAME',
  states: AUTHED,
  async run(s, req) {
    const { from, to: rawTo } = parseRenameArgs(req.args, s.names);
    const to = trimDelimiter(rawTo);
    if (to === 'INBOX') throw no('A mailbox cannot be renamed to INBOX', 'ALREADYEXISTS');
    if (parseName(from).kind === 'personal') {
      const place = await placeForNew(s, to);
      if (!place.own) throw no('A mailbox cannot be moved to another account', 'NOPERM');
      await s.ctx.store.renameMailbox(s.accountId, from, to, { origin: s.id });
      return;
    }
    const src = await accessMailbox(s, from, 'x');
    if (src.info.name === 'INBOX') throw no("Another account's INBOX cannot be renamed", 'CANNOT');
    const place = await placeForNew(s, to);
    if (place.owner !== src.owner) throw no('A mailbox cannot be moved to another account', 'NOPERM');
    await s.ctx.store.renameMailbox(src.owner, src.info.name, place.name, { origin: s.id });
  },
};
