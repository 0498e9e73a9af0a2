/**
 * UNAUTHENTICATE (RFC 8437): ends the login without closing the connection, so a client can
 * log in again (as another user) on the same TLS session. A selected mailbox is closed
 * without expunge; the tagged OK is the last response of the old login.
 */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const unauthenticateCmd: ImapCommand = {
  name: 'UNAUTHENTICATE',
  states: AUTHED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.log.info('imap unauthenticate');
    s.unauthenticated();
  },
};
