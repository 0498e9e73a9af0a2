/**
 * CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): results kept up to date with ADDTO and
 * REMOVETO at sync points; CANCELUPDATE; updates end when the mailbox is closed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap CONTEXT=SEARCH / CONTEXT=SORT', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('charlie'), msg('alpha'), msg('echo')]);
  });
  after(() => server.close());

  it('reports ADDTO / REMOVETO for SEARCH (position 0) and SORT (positions), until CANCELUPDATE', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('s SELECT INBOX');
    await b.command('s SELECT INBOX');
    await transcript(
      a,
      `C: A1 UID SEARCH RETURN (UPDATE COUNT) UNSEEN
       S: * ESEARCH (TAG "A1") UID COUNT 3
       S: A1 OK UID SEARCH completed
       C: A2 UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 UNSEEN
       S: * ESEARCH (TAG "A2") UID ALL 2,1,3
       S: A2 OK UID SORT completed`,
    );
    // another session marks "alpha" seen and adds "bravo"
    await b.command('b1 UID STORE 2 +FLAGS (\\Seen)');
    const m = 'Subject: bravo\r\n\r\nx\r\n';
    await b.command(`b2 APPEND INBOX {${m.length}+}\r\n${m}`);
    const r = await a.command('n1 NOOP');
    assert.ok(r.untagged.includes('* 4 EXISTS'), r.untagged.join('|'));
    assert.ok(r.untagged.includes('* ESEARCH (TAG "A1") UID REMOVETO (0 2) ADDTO (0 4) COUNT 3'), r.untagged.join('|'));
    // sorted: alpha leaves position 1; bravo goes in first, before charlie and echo
    assert.ok(r.untagged.includes('* ESEARCH (TAG "A2") UID REMOVETO (1 2) ADDTO (1 4)'), r.untagged.join('|'));
    await transcript(
      a,
      `C: c1 CANCELUPDATE "A1"
       S: c1 OK CANCELUPDATE completed
       C: c2 CANCELUPDATE "A1"
       S: c2 NO [NOUPDATE "A1"] No such update`,
    );
    await b.command('b3 UID STORE 1 +FLAGS (\\Seen)');
    const r2 = await a.command('n2 NOOP');
    assert.ok(!r2.untagged.some((l) => l.includes('"A1"')), r2.untagged.join('|'));
    assert.ok(r2.untagged.includes('* ESEARCH (TAG "A2") UID REMOVETO (2 1)'), r2.untagged.join('|'));
    // leaving the mailbox ends the updates
    await a.command('u UNSELECT');
    await a.command('s2 SELECT INBOX');
    await b.command('b4 UID STORE 3 +FLAGS (\\Seen)');
    const r3 = await a.command('n3 NOOP');
    assert.ok(!r3.untagged.some((l) => l.startsWith('* ESEARCH')), r3.untagged.join('|'));
    assert.match((await a.command('x SEARCH RETURN (UPDATE SAVE) ALL')).tagged, /^x BAD UPDATE cannot be combined with SAVE/);
  });
});
