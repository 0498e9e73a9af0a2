/** STATUS (RFC 9051 §6.3.11) */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { accessMailbox } from '../session/access.js';
import { parseStatusArgs } from '../wire/args/status.js';
import { statusResponse } from '../session/status.js';

export const statusCmd: ImapCommand = {
  name: 'STATUS',
  states: AUTHED,
  async run(s, req) {
    const { mailbox: name, items } = parseStatusArgs(req.args, s.names);
    const box = await accessMailbox(s, name, 'r'); // RFC 4314 §4
    s.send(await statusResponse(s, s.writer(), box.info, items, box.name));
  },
};
