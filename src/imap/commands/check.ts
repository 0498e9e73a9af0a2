/** CHECK (RFC 3501 §6.4.1; gone from IMAP4rev2, kept for rev1 clients): like NOOP, our store is always checkpointed. */
import { SELECTED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const checkCmd: ImapCommand = {
  name: 'CHECK',
  states: SELECTED,
  async run(_s, req) {
    parseNoArgs(req.args, req.name);
  },
};
