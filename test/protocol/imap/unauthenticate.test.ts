/** UNAUTHENTICATE (RFC 8437): back to not-authenticated on the same connection, log in again. */
import { after, before, describe, it } from 'node:test';
import { PASS, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap UNAUTHENTICATE', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('leaves the login and the selected mailbox; a new LOGIN works on the same connection', async () => {
    const c = await server.connect();
    await c.readLine();
    await transcript(
      c,
      `C: u0 UNAUTHENTICATE
       S: u0 BAD UNAUTHENTICATE is not valid in this state (not authenticated)
       C: l1 LOGIN ${USER} "${PASS}"
       S: l1 OK [CAPABILITY … UNAUTHENTICATE …] Logged in
       C: e1 ENABLE CONDSTORE
       S: * ENABLED CONDSTORE
       S: e1 OK ENABLE completed
       C: s1 SELECT INBOX
       S*: s1 OK [READ-WRITE] SELECT completed
       C: u1 UNAUTHENTICATE x
       S: u1 BAD UNAUTHENTICATE takes no arguments
       C: u2 UNAUTHENTICATE
       S: u2 OK UNAUTHENTICATE completed
       C: f1 FETCH 1 FLAGS
       S: f1 BAD FETCH is not valid in this state (not authenticated)
       C: c1 CAPABILITY
       S: * CAPABILITY IMAP4rev1 IMAP4rev2 … AUTH=PLAIN …
       S: c1 OK CAPABILITY completed
       C: l2 LOGIN ${USER} "${PASS}"
       S: l2 OK [CAPABILITY …] Logged in
       C: s2 SELECT INBOX
       S: * 0 EXISTS
       S*: s2 OK [READ-WRITE] SELECT completed`,
    );
  });
});
