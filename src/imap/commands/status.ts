/** STATUS (RFC 9051 §6.3.11) */
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseStatusArgs } from '../wire/args/status.js';
import { statusResponse } from '../session/status.js';

export const statusCmd: ImapCommand = {
  name: 'STATUS',
  states: AUTHED,
  async run(s, req) {
    const { mailbox: name, items } = parseStatusArgs(req.args, s.names);
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
    s.send(await statusResponse(s, s.writer(), info, items));
  },
};
