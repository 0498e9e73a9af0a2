/** NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1; an alias of NOOP in IMAP4rev2): sync points */
import { ANY_STATE, SELECTED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const noopCmd: ImapCommand = {
  name: 'NOOP',
  states: ANY_STATE,
  pipelineSafe: true,
  async run(_s, req) {
    parseNoArgs(req.args, req.name);
    // the session reports pending changes after every command
  },
};

export const checkCmd: ImapCommand = {
  name: 'CHECK',
  states: SELECTED,
  async run(_s, req) {
    parseNoArgs(req.args, req.name);
  },
};
