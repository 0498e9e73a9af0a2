/** UNSELECT (RFC 3691; RFC 9051 §6.4.2): leaves the selected state without expunging. */
import { SELECTED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const unselectCmd: ImapCommand = {
  name: 'UNSELECT',
  states: SELECTED,
  leavesMailbox: true,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.deselect();
  },
};
