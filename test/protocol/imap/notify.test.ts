/**
 * NOTIFY (RFC 5465): changes made by another session reach a client without NOOP — the
 * selected mailbox (with MessageNew fetch attributes), STATUS for other mailboxes, LIST for
 * mailbox names and subscriptions, METADATA for metadata changes (RFC 5465 §5.7, §5.8);
 * NOTIFY NONE; BADEVENT; SET (STATUS).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, PASS, seed, startServer, transcript, USER, type ImapClient, type ImapServer } from './harness.js';

/** lines the server sends on its own within `ms` */
async function unsolicited(c: ImapClient, until: RegExp, ms = 3000): Promise<string[]> {
  const lines: string[] = [];
  const deadline = Date.now() + ms;
  while (!lines.some((l) => until.test(l))) {
    if (Date.now() > deadline) throw new Error(`no ${until} within ${ms} ms; got ${JSON.stringify(lines)}`);
    lines.push(await c.readLine(Math.max(50, deadline - Date.now())));
  }
  return lines;
}

describe('imap NOTIFY', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('n1')]);
  });
  after(() => server.close());

  it('pushes selected-mailbox changes with fetch attributes, STATUS for others, LIST for names', async () => {
    const a = await server.login();
    const b = await server.login();
    await transcript(
      a,
      `C: n1 NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge MailboxName SubscriptionChange))
       S: n1 OK NOTIFY completed
       C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed`,
    );
    await b.command('b1 SELECT INBOX');
    const m = 'Subject: pushed\r\n\r\nhi\r\n';
    await b.command(`b2 APPEND INBOX {${m.length}+}\r\n${m}`);
    let got = await unsolicited(a, /^\* 2 FETCH/);
    assert.ok(got.includes('* 2 EXISTS'), got.join('|'));
    assert.ok(got.some((l) => l.startsWith('* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {') && l.includes('Subject: pushed')), got.join('|'));
    await b.command('b3 STORE 1 +FLAGS (\\Flagged)');
    got = await unsolicited(a, /^\* 1 FETCH \(FLAGS/);
    await b.command(`b4 APPEND Archive {${m.length}+}\r\n${m}`);
    got = await unsolicited(a, /^\* STATUS Archive/);
    assert.ok(got.includes('* STATUS Archive (MESSAGES 1 UIDNEXT 2 UNSEEN 1)'), got.join('|'));
    await b.command('b5 CREATE Projects');
    got = await unsolicited(a, /^\* LIST/);
    assert.ok(got.includes('* LIST () "/" Projects'), got.join('|'));
    await b.command('b6 RENAME Projects Work');
    got = await unsolicited(a, /^\* LIST/);
    assert.ok(got.includes('* LIST () "/" Work ("OLDNAME" (Projects))'), got.join('|'));
    await b.command('b7 DELETE Work');
    got = await unsolicited(a, /^\* LIST/);
    assert.ok(got.includes('* LIST (\\NonExistent) "/" Work'), got.join('|'));
    const sub = await a.command('a1 SUBSCRIBE Archive');
    assert.ok(sub.untagged.includes('* LIST (\\Subscribed) "/" Archive'), sub.untagged.join('|'));
    await b.command('b8 STORE 2 +FLAGS (\\Deleted)');
    await b.command('b9 EXPUNGE');
    got = await unsolicited(a, /EXPUNGE$/);
    assert.ok(got.includes('* 2 EXPUNGE'), got.join('|'));
    // NOTIFY NONE: quiet again until a sync point
    await a.command('n2 NOTIFY NONE');
    await b.command(`b10 APPEND INBOX {${m.length}+}\r\n${m}`);
    await assert.rejects(unsolicited(a, /EXISTS/, 500));
    const noop = await a.command('n3 NOOP');
    assert.ok(noop.untagged.includes('* 2 EXISTS'), noop.untagged.join('|'));
  });

  it('NOTIFY SET (STATUS) reports every covered mailbox at once; unsupported events are NO [BADEVENT]', async () => {
    const c = await server.connect();
    await c.readLine();
    await c.command(`l LOGIN ${USER} "${PASS}"`);
    const r = await c.command('n1 NOTIFY SET (STATUS) (mailboxes (INBOX Archive) (MessageNew MessageExpunge))');
    assert.match(r.tagged, /^n1 OK/);
    assert.deepEqual(r.untagged.map((l) => l.replace(/\(.*\)/, '(…)')).sort(), ['* STATUS Archive (…)', '* STATUS INBOX (…)']);
    await transcript(
      c,
      `C: n2 NOTIFY SET (selected (MessageNew MessageExpunge AnnotationChange))
       S: n2 NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)] Not supported here: AnnotationChange
       C: n3 NOTIFY SET (selected (MessageNew))
       S: n3 BAD MessageNew and MessageExpunge must be given together
       C: n4 NOTIFY SET (inboxes (MessageNew (UID) MessageExpunge))
       S: n4 BAD MessageNew fetch attributes are only for the selected mailbox
       C: n5 NOTIFY SET (selected (MessageNew (BODY[]) MessageExpunge))
       S: n5 BAD MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)`,
    );
  });

  it('RFC 5465 §5.7/§5.8: another session\'s SETMETADATA reaches the client as METADATA with the entry names; not its own, not other accounts\'', async () => {
    const bob = 'bob@example.test';
    await server.t.addUser(bob, PASS);
    const a = await server.login();
    const b = await server.login();
    await transcript(
      a,
      `C: n1 NOTIFY SET (selected (MessageNew MessageExpunge MailboxMetadataChange)) (personal (MailboxMetadataChange ServerMetadataChange))
       S: n1 OK NOTIFY completed
       C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed`,
    );
    // a session that asked for other events only, and another account's session
    const quiet = await server.login();
    await transcript(quiet, `C: q NOTIFY SET (personal (MessageNew MessageExpunge MailboxName))\nS: q OK NOTIFY completed`);
    const other = await server.connect();
    await other.readLine();
    await other.command(`l LOGIN ${bob} "${PASS}"`);
    await transcript(other, `C: o NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))\nS: o OK NOTIFY completed`);

    await b.command('b1 SETMETADATA Archive (/private/comment "old mail")');
    let got = await unsolicited(a, /^\* METADATA/);
    assert.deepEqual(got.filter((l) => l.startsWith('* METADATA')), ['* METADATA Archive /private/comment']);
    await b.command('b2 SETMETADATA INBOX (/shared/comment "the selected one" /private/vendor/x "y")');
    got = await unsolicited(a, /^\* METADATA/);
    assert.deepEqual(got.filter((l) => l.startsWith('* METADATA')), ['* METADATA INBOX /shared/comment /private/vendor/x']);
    await b.command('b3 SETMETADATA "" (/private/vendor/theme "dark")');
    got = await unsolicited(a, /^\* METADATA/);
    assert.deepEqual(got.filter((l) => l.startsWith('* METADATA')), ['* METADATA "" /private/vendor/theme']);
    await b.command('b4 SETMETADATA Archive (/private/comment NIL)');
    got = await unsolicited(a, /^\* METADATA/);
    assert.deepEqual(got.filter((l) => l.startsWith('* METADATA')), ['* METADATA Archive /private/comment']);
    // the client's own change is not echoed
    const own = await a.command('a1 SETMETADATA Archive (/private/comment "mine")');
    assert.match(own.tagged, /^a1 OK/);
    assert.deepEqual(own.untagged, []);
    const n = await a.command('a2 NOOP');
    assert.ok(!n.untagged.some((l) => l.startsWith('* METADATA')), n.untagged.join('|'));
    // nothing reached the session without the events, nor bob's
    for (const c of [quiet, other]) {
      const r = await c.command('x NOOP');
      assert.ok(!r.untagged.some((l) => l.includes('METADATA')), r.untagged.join('|'));
    }
    // bob's own change reaches bob's other session, never alice's
    const bob2 = await server.connect();
    await bob2.readLine();
    await bob2.command(`l LOGIN ${bob} "${PASS}"`);
    await bob2.command('b SETMETADATA INBOX (/private/comment "bob")');
    got = await unsolicited(other, /^\* METADATA/);
    assert.deepEqual(got.filter((l) => l.startsWith('* METADATA')), ['* METADATA INBOX /private/comment']);
    const r = await a.command('a3 NOOP');
    assert.ok(!r.untagged.some((l) => l.startsWith('* METADATA')), r.untagged.join('|'));
  });
});
