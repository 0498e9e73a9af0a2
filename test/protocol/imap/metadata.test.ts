/**
 * METADATA and METADATA-SERVER (RFC 5464): the RFC's examples of §4.2 and §4.3 as
 * transcripts, DEPTH and MAXSIZE, binary values, the limits (MAXSIZE, TOOMANY), shared
 * server entries for administrators only, entries that follow a renamed mailbox and go
 * with a deleted one, and one account never reaching another's entries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setAdmin } from '../../../src/auth/roles.js';
import { METADATA_MAX_ENTRIES, METADATA_MAX_VALUE, METADATA_NS } from '../../../src/imap/commands/metadata-entries.js';
import { startServer, transcript, USER, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';
const BOB_PASS = 'bob password here';

describe('imap METADATA (RFC 5464)', () => {
  let server: ImapServer;
  let aliceId: number;
  before(async () => {
    server = await startServer();
    aliceId = (await server.t.ctx.store.getAccount(USER))!.id;
    await server.t.addUser(BOB, BOB_PASS);
  });
  after(() => server.close());
  const store = () => server.t.ctx.store;
  const bob = async () => {
    const c = await server.connect();
    await c.readLine();
    assert.match((await c.command(`L LOGIN ${BOB} "${BOB_PASS}"`)).tagged, /^L OK/);
    return c;
  };

  it('advertises METADATA and METADATA-SERVER', async () => {
    const c = await server.login();
    const caps = (await c.command('c CAPABILITY')).untagged[0]!.split(' ');
    assert.ok(caps.includes('METADATA') && caps.includes('METADATA-SERVER'), caps.join(' '));
  });

  it("RFC 5464 §4.3 and §4.2 examples: set, read, remove; the server's shared comment is an administrator's", async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: a SETMETADATA INBOX (/private/comment {33}
       S: + Ready for literal data
       C: My new comment across
       C: two lines.)
       S: a OK SETMETADATA completed
       C: b GETMETADATA INBOX /private/comment
       S: * METADATA INBOX (/private/comment {33}\\r\\nMy new comment across\\r\\ntwo lines.)
       S: b OK GETMETADATA completed
       C: c SETMETADATA INBOX (/private/comment NIL)
       S: c OK SETMETADATA completed
       C: d GETMETADATA INBOX /private/comment
       S: * METADATA INBOX (/private/comment NIL)
       S: d OK GETMETADATA completed
       C: e SETMETADATA "" (/shared/comment "This is the server")
       S: e NO [NOPERM] Only administrators may set the server's shared entries
       C: f SETMETADATA INBOX (/shared/comment "Shared comment" /private/comment "My own comment")
       S: f OK SETMETADATA completed
       C: g GETMETADATA "INBOX" (/shared/comment /private/comment)
       S: * METADATA INBOX (/shared/comment "Shared comment" /private/comment "My own comment")
       S: g OK GETMETADATA completed`,
    );
    await setAdmin(store(), aliceId, true);
    try {
      await transcript(
        c,
        `C: h SETMETADATA "" (/shared/comment "Shared comment" /private/comment "Mine")
         S: h OK SETMETADATA completed
         C: i GETMETADATA "" /shared/comment
         S: * METADATA "" (/shared/comment "Shared comment")
         S: i OK GETMETADATA completed`,
      );
    } finally {
      await setAdmin(store(), aliceId, false);
    }
    // another user reads the server's shared entries, but neither alice's private server entry nor her mailboxes'
    const b = await bob();
    await transcript(
      b,
      `C: j GETMETADATA "" (/shared/comment /private/comment)
       S: * METADATA "" (/shared/comment "Shared comment" /private/comment NIL)
       S: j OK GETMETADATA completed
       C: k GETMETADATA (DEPTH infinity) INBOX (/private /shared)
       S: * METADATA INBOX (/private NIL /shared NIL)
       S: k OK GETMETADATA completed`,
    );
  });

  it('DEPTH 0/1/infinity and MAXSIZE with LONGENTRIES (RFC 5464 §4.2.1, §4.2.2)', async () => {
    const c = await server.login();
    const long = 'x'.repeat(2199);
    await transcript(
      c,
      `C: c CREATE Filters
       S: c OK [MAILBOXID (…)] CREATE completed
       C: a SETMETADATA Filters (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/deep/x "3" /private/comment "My own" /private/long "${long}")
       S: a OK SETMETADATA completed
       C: b GETMETADATA (DEPTH 1) Filters /private/filters/values
       S: * METADATA Filters (/private/filters/values NIL /private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/small "SMALLER 5000")
       S: b OK GETMETADATA completed
       C: d GETMETADATA (DEPTH infinity) Filters /private/filters
       S: * METADATA Filters (/private/filters NIL /private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/deep/x "3" /private/filters/values/small "SMALLER 5000")
       S: d OK GETMETADATA completed
       C: e GETMETADATA (MAXSIZE 1024) Filters (/private/comment /private/long)
       S: * METADATA Filters (/private/comment "My own")
       S: e OK [METADATA LONGENTRIES 2199] GETMETADATA completed
       C: f GETMETADATA (MAXSIZE 10 DEPTH 0) Filters /PRIVATE/Comment
       S: * METADATA Filters (/private/comment "My own")
       S: f OK GETMETADATA completed`,
    );
  });

  it('binary values come back as literal8', async () => {
    const c = await server.login();
    c.send(Buffer.concat([Buffer.from('a SETMETADATA INBOX (/private/bin ~{3+}\r\n'), Buffer.from([0x61, 0, 0x62]), Buffer.from(')\r\n')]));
    assert.equal(await c.readLine(), 'a OK SETMETADATA completed');
    await transcript(c, `C: b GETMETADATA INBOX /private/bin\nS: * METADATA INBOX (/private/bin ~{3}\\r\\na\0b)\nS: b OK GETMETADATA completed`);
  });

  it('bad input: BAD for syntax, NO with a code otherwise', async () => {
    const c = await server.login();
    const tooBig = 'y'.repeat(METADATA_MAX_VALUE + 1);
    await transcript(
      c,
      `C: a GETMETADATA INBOX /other/comment
       S: a BAD Entry name must begin with /private or /shared
       C: b SETMETADATA INBOX (/private "x")
       S: b BAD Entry name must name an entry below /private
       C: c GETMETADATA INBOX /private/a*
       S: c BAD Entry name can't contain '*' or '%'
       C: d GETMETADATA INBOX /private//a
       S: d BAD Entry name can't contain consecutive '/'
       C: e GETMETADATA (DEPTH 2) INBOX /private
       S: e BAD DEPTH is 0, 1 or infinity
       C: f GETMETADATA (COLOR red) INBOX /private
       S: f BAD Unknown GETMETADATA option COLOR
       C: g SETMETADATA INBOX (/private/a)
       S: g BAD SETMETADATA entries come in entry/value pairs
       C: h SETMETADATA INBOX (/private/a FOO)
       S: h BAD A value is a string, a literal or NIL
       C: i GETMETADATA Nowhere /private/comment
       S: i NO [NONEXISTENT] Mailbox "Nowhere" does not exist
       C: j SETMETADATA INBOX (/private/big {${tooBig.length}+}
       C: ${tooBig})
       S: j NO [METADATA MAXSIZE ${METADATA_MAX_VALUE}] A value may have at most ${METADATA_MAX_VALUE} bytes
       C: k GETMETADATA INBOX /private/big
       S: * METADATA INBOX (/private/big NIL)
       S: k OK GETMETADATA completed`,
    );
  });

  it('TOOMANY past the entry limit; removing still works', async () => {
    const b = await bob();
    const bobId = (await store().getAccount(BOB))!.id;
    const used = (await store().kvList(METADATA_NS, bobId)).length;
    const fill = [];
    for (let i = used; i < METADATA_MAX_ENTRIES; i++) fill.push({ key: `S/private/fill/${i}`, value: 't1' });
    await store().kvSet(METADATA_NS, bobId, fill);
    await transcript(
      b,
      `C: a SETMETADATA "" (/private/one-more "1")
       S: a NO [METADATA TOOMANY] At most ${METADATA_MAX_ENTRIES} entries are kept
       C: b SETMETADATA "" (/private/fill/${METADATA_MAX_ENTRIES - 1} "changed")
       S: b OK SETMETADATA completed
       C: c SETMETADATA "" (/private/fill/0 NIL /private/one-more "1")
       S: c OK SETMETADATA completed`,
    );
  });

  it('entries follow RENAME and go with DELETE', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: a CREATE Project
       S: a OK [MAILBOXID (…)] CREATE completed
       C: b SETMETADATA Project (/private/comment "kept")
       S: b OK SETMETADATA completed
       C: c RENAME Project Work
       S: c OK RENAME completed
       C: d GETMETADATA Work /private/comment
       S: * METADATA Work (/private/comment "kept")
       S: d OK GETMETADATA completed`,
    );
    const id = (await store().getMailbox(aliceId, 'Work'))!.id;
    assert.equal((await store().kvList(METADATA_NS, aliceId, { prefix: `M${id}/` })).length, 1);
    await transcript(
      c,
      `C: e DELETE Work
       S: e OK DELETE completed
       C: f CREATE Work
       S: f OK [MAILBOXID (…)] CREATE completed
       C: g GETMETADATA Work /private/comment
       S: * METADATA Work (/private/comment NIL)
       S: g OK GETMETADATA completed`,
    );
    assert.equal((await store().kvList(METADATA_NS, aliceId, { prefix: `M${id}/` })).length, 0);
  });
});
