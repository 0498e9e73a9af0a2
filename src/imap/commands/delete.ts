/** DELETE (RFC 9051 §6.3.5): INBOX cannot be deleted; children stay. */
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseMailboxArg } from '../wire/args/misc.js';

export const deleteCmd: ImapCommand = {
  name: 'DELETE',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, 'DELETE');
    if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    if (s.selected?.name === name) s.deselect();
    await s.ctx.store.deleteMailbox(s.accountId, name, { origin: s.id });
  },
};
