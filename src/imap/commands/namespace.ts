/**
 * NAMESPACE (RFC 2342; RFC 9051 §6.3.10): the personal namespace, "Other Users/" where
 * mailboxes other accounts share with this one appear, and the shared namespace "Shared/"
 * with the domain's shared mailboxes (../session/access.ts). Both are always advertised,
 * as Dovecot advertises its configured namespaces, whether or not anything is in them.
 */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { atom } from '../wire/encode.js';
import { OTHER_USERS_PREFIX, SHARED_PREFIX } from '../session/access.js';

export const namespaceCmd: ImapCommand = {
  name: 'NAMESPACE',
  states: AUTHED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.untagged(atom('NAMESPACE'), [['', MAILBOX_DELIMITER]], [[OTHER_USERS_PREFIX, MAILBOX_DELIMITER]], [[SHARED_PREFIX, MAILBOX_DELIMITER]]);
  },
};
