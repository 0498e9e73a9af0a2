/** STATUS (RFC 9051 §6.3.11) */
import { encodeName } from '../session/names.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseStatusArgs } from '../wire/args/status.js';
import { statusLine } from './status-items.js';

export const statusCmd: ImapCommand = {
  name: 'STATUS',
  states: AUTHED,
  async run(s, req) {
    const { mailbox: name, items } = parseStatusArgs(req.args, s.names);
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
    s.write(await statusLine(s, info, items, encodeName(s, info.name)));
  },
};
