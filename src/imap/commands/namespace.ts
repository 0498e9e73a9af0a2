/**
 * NAMESPACE (RFC 2342; RFC 9051 §6.3.10): the personal namespace, and "Other Users/" where
 * mailboxes other accounts share with this one appear (../session/access.ts). There is no
 * shared (public) namespace.
 */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { atom } from '../wire/encode.js';
import { OTHER_USERS_PREFIX } from '../session/access.js';

export const namespaceCmd: ImapCommand = {
  name: 'NAMESPACE',
  states: AUTHED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.untagged(atom('NAMESPACE'), [['', MAILBOX_DELIMITER]], [[OTHER_USERS_PREFIX, MAILBOX_DELIMITER]], null);
  },
};
