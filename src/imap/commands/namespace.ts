/** NAMESPACE (RFC 2342; RFC 9051 §6.3.10): one personal namespace, "/" delimited */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const namespaceCmd: ImapCommand = {
  name: 'NAMESPACE',
  states: AUTHED,
  pipelineSafe: true,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.write('* NAMESPACE (("" "/")) NIL NIL\r\n');
  },
};
