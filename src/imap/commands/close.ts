/**
 * CLOSE (RFC 9051 §6.4.1): silently expunges \Deleted messages (unless read-only, or
 * without the "e" right on a shared mailbox: RFC 4314 §4 closes without expunging) and
 * leaves the selected state.
 */
import { SELECTED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const closeCmd: ImapCommand = {
  name: 'CLOSE',
  states: SELECTED,
  leavesMailbox: true,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    const v = s.selected!;
    s.deselect();
    if (!v.readOnly && v.rights.includes('e')) await s.ctx.store.expunge(v.owner, v.mailboxId, undefined, { origin: s.id });
  },
};
