/** STATUS (RFC 9051 §6.3.11) */
import { encodeName } from '../session/names.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseStatusItems, statusLine } from './status-items.js';

export const statusCmd: ImapCommand = {
  name: 'STATUS',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = a.mailbox();
    const items = parseStatusItems(a.list('status data items'));
    a.end();
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
    s.write(await statusLine(s, info, items, encodeName(s, info.name)));
  },
};
