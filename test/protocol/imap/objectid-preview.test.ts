/**
 * OBJECTID (RFC 8474): MAILBOXID in CREATE, SELECT and STATUS, EMAILID and THREADID in FETCH,
 * stable across MOVE and RENAME; PREVIEW (RFC 8970), computed at delivery.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seed, startServer, transcript, type ImapServer } from './harness.js';

const mail = (n: number, subject: string, body: string, extra = '') =>
  Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\nMessage-ID: <o${n}@example.test>\r\n${extra}\r\n${body}`);

describe('imap OBJECTID and PREVIEW', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [
      mail(1, 'root', 'Hello   there,\r\n\r\nsee you  at noon.\r\n'),
      mail(2, 'Re: root', 'Fine.\r\n', 'References: <o1@example.test>\r\n'),
      Buffer.from(
        'Subject: alt\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html <b>part</b></p>\r\n' +
          '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nPlain gr=C3=BC=C3=9Fe\r\n--b--\r\n',
      ),
      Buffer.from(`Subject: long\r\n\r\n${'word '.repeat(100)}\r\n`),
    ]);
  });
  after(() => server.close());

  it('PREVIEW: the first text part, whitespace collapsed, text/plain preferred, at most 256 characters', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: e ENABLE UTF8=ACCEPT
       S: * ENABLED UTF8=ACCEPT
       S: e OK ENABLE completed
       C: s EXAMINE INBOX
       S*: s OK [READ-ONLY] EXAMINE completed
       C: p1 FETCH 1:3 (PREVIEW)
       S: * 1 FETCH (PREVIEW "Hello there, see you at noon.")
       S: * 2 FETCH (PREVIEW "Fine.")
       S: * 3 FETCH (PREVIEW "Plain grüße")
       S: p1 OK FETCH completed
       C: p2 UID FETCH 1 (PREVIEW (LAZY))
       S: * 1 FETCH (UID 1 PREVIEW "Hello there, see you at noon.")
       S: p2 OK UID FETCH completed
       C: p3 FETCH 1 (PREVIEW (EAGER))
       S: p3 BAD PREVIEW modifiers: LAZY only`,
    );
    const r = await c.command('p4 FETCH 4 (PREVIEW)');
    const m = /PREVIEW "([^"]*)"/.exec(r.untagged[0]!);
    assert.ok(m, r.untagged[0]);
    assert.equal(m[1]!.length, 256);
  });

  it('MAILBOXID, EMAILID and THREADID: stable across MOVE and RENAME, shared by a thread', async () => {
    const c = await server.login();
    const created = await c.command('c1 CREATE Keep');
    const fid = /^c1 OK \[MAILBOXID \((F[\w-]+)\)\] CREATE completed$/.exec(created.tagged)?.[1];
    assert.ok(fid, created.tagged);
    const st = await c.command('t1 STATUS Keep (MAILBOXID MESSAGES)');
    assert.equal(st.untagged[0], `* STATUS Keep (MAILBOXID (${fid}) MESSAGES 0)`);
    await c.command('s SELECT INBOX');
    const f = await c.command('f1 FETCH 1:2 (EMAILID THREADID)');
    const ids = f.untagged.map((l) => /EMAILID \((M[\w-]+)\) THREADID \((T[\w-]+)\)/.exec(l)!.slice(1));
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0]![0], ids[1]![0], 'each message its own EMAILID');
    assert.equal(ids[0]![1], ids[1]![1], 'a reply shares the thread of its root');
    assert.match((await c.command('m1 MOVE 2 Keep')).tagged, /^m1 OK/);
    assert.match((await c.command('r1 RENAME Keep Kept')).tagged, /^r1 OK/);
    const sel = await c.command('s2 SELECT Kept');
    assert.ok(sel.untagged.includes(`* OK [MAILBOXID (${fid})] Ok`), sel.untagged.join('|'));
    const g = await c.command('f2 FETCH 1 (EMAILID THREADID)');
    assert.equal(g.untagged[0], `* 1 FETCH (EMAILID (${ids[1]![0]}) THREADID (${ids[1]![1]}))`);
  });
});
