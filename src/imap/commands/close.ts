/**
 * CLOSE (RFC 9051 §6.4.1): silently expunges \Deleted messages (unless read-only) and
 * leaves the selected state.
 */
import { SELECTED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const closeCmd: ImapCommand = {
  name: 'CLOSE',
  states: SELECTED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    const v = s.selected!;
    s.deselect();
    if (!v.readOnly) await s.ctx.store.expunge(s.accountId, v.mailboxId, undefined, { origin: s.id });
  },
};
