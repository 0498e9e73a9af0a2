/** NOOP (RFC 9051 §6.1.2): a sync point; the session reports pending changes after every command. */
import { ANY_STATE, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const noopCmd: ImapCommand = {
  name: 'NOOP',
  states: ANY_STATE,
  async run(_s, req) {
    parseNoArgs(req.args, req.name);
  },
};
