/** UNAUTHENTICATE (RFC 8437): back to not-authenticated on the same connection, log in again. */
import assert from 'node:assert/strict';
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

  it("leaves the live-session registry's entry of the account: that account's changes no longer end the connection", async () => {
    const { store, sessions } = server.t.ctx;
    const bob = await server.t.addUser('bob@example.test', 'bob password here');
    const alice = (await store.getAccount(USER))!;
    const before = sessions.list(alice.id).length;
    const all = sessions.size;
    const c = await server.connect();
    await c.readLine();
    await transcript(
      c,
      `C: l1 LOGIN ${USER} "${PASS}"
       S: l1 OK [CAPABILITY …] Logged in`,
    );
    assert.equal(sessions.list(alice.id).length, before + 1, 'listed under alice while logged in');
    await transcript(
      c,
      `C: u1 UNAUTHENTICATE
       S: u1 OK UNAUTHENTICATE completed`,
    );
    assert.equal(sessions.list(alice.id).length, before, 'no longer listed under alice');
    assert.equal(sessions.size, all + 1, 'still registered: the connection is open');
    assert.equal(sessions.list().at(-1)!.user, null, 'as nobody');
    // alice's password changes: a session she left is not hers to close
    await store.updateAccount(alice.id, { passwordHash: await server.t.ctx.auth.hashPassword('another password') });
    await transcript(
      c,
      `C: l2 LOGIN bob@example.test "bob password here"
       S: l2 OK [CAPABILITY …] Logged in`,
    );
    assert.deepEqual(sessions.list(bob.id).map((x) => x.user), ['bob@example.test']);
    await transcript(
      c,
      `C: n1 NOOP
       S: n1 OK NOOP completed`,
    );
    await store.updateAccount(alice.id, { passwordHash: await server.t.ctx.auth.hashPassword(PASS) });
  });
});
