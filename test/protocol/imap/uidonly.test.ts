/** UIDONLY (RFC 9586): no sequence numbers; UIDFETCH responses; VANISHED instead of EXPUNGE. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap UIDONLY', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('u1'), msg('u2'), msg('u3')]);
  });
  after(() => server.close());

  it('refuses sequence numbers with [UIDREQUIRED] and answers with UIDFETCH and VANISHED', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: e ENABLE UIDONLY
       S: * ENABLED UIDONLY
       S: e OK ENABLE completed
       C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: f1 FETCH 1:* FLAGS
       S: f1 BAD [UIDREQUIRED] FETCH uses message sequence numbers; UIDONLY is enabled, use UID FETCH
       C: f2 UID FETCH 1:2 (FLAGS)
       S: * 1 UIDFETCH (FLAGS (\\Recent))
       S: * 2 UIDFETCH (FLAGS (\\Recent))
       S: f2 OK UID FETCH completed
       C: t1 UID STORE 3 +FLAGS (\\Deleted)
       S: * 3 UIDFETCH (FLAGS (\\Deleted \\Recent))
       S: t1 OK UID STORE completed
       C: q1 UID SEARCH 1:2
       S: q1 BAD [UIDREQUIRED] Search criteria use message sequence numbers; UIDONLY is enabled, use UID sets
       C: q2 UID SEARCH UID 2:3 DELETED
       S: * SEARCH 3
       S: q2 OK UID SEARCH completed
       C: c1 COPY 1 Archive
       S: c1 BAD [UIDREQUIRED] COPY uses message sequence numbers; UIDONLY is enabled, use UID COPY
       C: x1 EXPUNGE
       S: * VANISHED 3
       S: x1 OK EXPUNGE completed`,
    );
    assert.equal(c.closed, false);
  });
});
