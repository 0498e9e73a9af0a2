/** NAMESPACE (RFC 2342; RFC 9051 §6.3.10): one personal namespace with the store's delimiter */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { atom } from '../wire/encode.js';

export const namespaceCmd: ImapCommand = {
  name: 'NAMESPACE',
  states: AUTHED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.untagged(atom('NAMESPACE'), [['', MAILBOX_DELIMITER]], null, null);
  },
};
