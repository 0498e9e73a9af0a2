/** LOGOUT (RFC 9051 §6.1.3): BYE, tagged OK, close */
import { ANY_STATE, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const logoutCmd: ImapCommand = {
  name: 'LOGOUT',
  states: ANY_STATE,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.notice('BYE', 'letterbox logging out');
    s.deselect();
    s.state = 'logout';
    return { status: 'OK', text: 'LOGOUT completed' };
  },
};
