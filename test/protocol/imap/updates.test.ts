/**
 * Untagged updates across sessions (RFC 9051 §5.2, §7.5.1; IDLE RFC 2177): IDLE sees
 * another session's APPEND, STORE and EXPUNGE promptly; no EXPUNGE during FETCH, STORE or
 * SEARCH by sequence number; NOOP reports what is pending; own changes are not echoed.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap untagged updates', () => {
  let server: ImapServer;
  beforeEach(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('one'), msg('two'), msg('three')]);
  });
  afterEach(() => server.close());

  it('IDLE reports another session\'s APPEND, STORE and EXPUNGE within a second', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('s1 SELECT INBOX');
    await b.command('s1 SELECT INBOX');
    await transcript(a, `C: i1 IDLE\nS: + idling`);
    await b.command('b1 APPEND INBOX {3+}\r\nabc');
    assert.equal(await a.readLine(1000), '* 4 EXISTS');
    // whichever rev1 session syncs first claims \Recent for the new message
    assert.match(await a.readLine(1000), /^\* [34] RECENT$/);
    await b.command('b2 STORE 2 +FLAGS (\\Flagged)');
    assert.equal(await a.readLine(1000), '* 2 FETCH (FLAGS (\\Flagged \\Recent))');
    await b.command('b3 STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.equal(await a.readLine(1000), '* 1 FETCH (FLAGS (\\Deleted \\Recent))');
    await b.command('b4 EXPUNGE');
    assert.equal(await a.readLine(1000), '* 1 EXPUNGE');
    await transcript(a, `C: DONE\nS: i1 OK IDLE terminated`);
  });

  it('holds EXPUNGE back during FETCH, STORE and SEARCH by sequence number; sends it at NOOP', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('s1 SELECT INBOX');
    await b.command('s1 SELECT INBOX');
    await b.command('b1 STORE 1 +FLAGS.SILENT (\\Deleted)');
    await b.command('b2 EXPUNGE');
    await transcript(
      a,
      `C: f1 FETCH 1:3 (UID)
       S: * 1 FETCH (UID 1)
       S: * 2 FETCH (UID 2)
       S: * 3 FETCH (UID 3)
       S: * 1 FETCH (FLAGS (\\Deleted \\Recent))
       S: f1 OK FETCH completed`,
    );
    // the UID is known from the session's view; anything else about the message is gone
    await transcript(
      a,
      `C: f1b FETCH 1:2 (UID FLAGS)
       S: * 2 FETCH (UID 2 FLAGS (\\Recent))
       S: f1b NO [EXPUNGEISSUED] Some of the requested messages no longer exist`,
    );
    // the flag update is fine; the expunge must still be pending: sequence numbers are stable
    const r = await a.command('f2 FETCH 2:3 (UID)');
    assert.deepEqual(r.untagged, ['* 2 FETCH (UID 2)', '* 3 FETCH (UID 3)']);
    const st = await a.command('f3 STORE 3 +FLAGS.SILENT (\\Seen)');
    assert.deepEqual(st.untagged, []);
    const se = await a.command('f4 SEARCH ALL');
    assert.ok(!se.untagged.some((l) => /EXPUNGE/.test(l)), se.untagged.join('|'));
    await transcript(
      a,
      `C: n1 NOOP
       S: * 1 EXPUNGE
       S: n1 OK NOOP completed
       C: f5 FETCH 1:* (UID)
       S: * 1 FETCH (UID 2)
       S: * 2 FETCH (UID 3)
       S: f5 OK FETCH completed`,
    );
  });

  it('UID FETCH may report a pending EXPUNGE at its end', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('s1 SELECT INBOX');
    await b.command('s1 SELECT INBOX');
    await b.command('b1 STORE 3 +FLAGS.SILENT (\\Deleted)');
    await b.command('b2 EXPUNGE');
    const r = await a.command('u1 UID FETCH 1 (UID)');
    assert.deepEqual(r.untagged, ['* 1 FETCH (UID 1)', '* 3 EXPUNGE']);
  });

  it('does not echo the session\'s own flag changes twice', async () => {
    const a = await server.login();
    await a.command('s1 SELECT INBOX');
    const r = await a.command('t1 STORE 1 +FLAGS (\\Seen)');
    assert.deepEqual(r.untagged, ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
    const n = await a.command('n1 NOOP');
    assert.deepEqual(n.untagged, []);
  });

  it('pipelined commands are answered in order', async () => {
    const a = await server.login();
    a.send('p1 SELECT INBOX\r\np2 FETCH 1 (UID)\r\np3 NOOP\r\np4 UID SEARCH ALL');
    const lines: string[] = [];
    for (;;) {
      const l = await a.readLine();
      lines.push(l);
      if (l.startsWith('p4 ')) break;
    }
    const tags = lines.filter((l) => /^p\d /.test(l)).map((l) => l.slice(0, 2));
    assert.deepEqual(tags, ['p1', 'p2', 'p3', 'p4']);
    assert.ok(lines.includes('* 1 FETCH (UID 1)'));
    assert.ok(lines.includes('* SEARCH 1 2 3'));
  });

  it('announces new keywords in FLAGS before using them; reports several expunges in ascending order', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('s1 SELECT INBOX');
    await b.command('s1 SELECT INBOX');
    await b.command('b1 STORE 2 +FLAGS ($Important)');
    await b.command('b2 STORE 1,3 +FLAGS.SILENT (\\Deleted)');
    await b.command('b3 EXPUNGE');
    await transcript(
      a,
      `C: n1 NOOP
       S: * 1 EXPUNGE
       S: * 2 EXPUNGE
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)
       S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important \\*)] Flags permitted
       S: * 1 FETCH (FLAGS ($Important \\Recent))
       S: n1 OK NOOP completed`,
    );
  });
});
