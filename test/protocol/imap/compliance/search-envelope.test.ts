/**
 * SEARCH, ESEARCH and ENVELOPE as a peer compliance suite checks them (RFC 9051 §6.4.4,
 * §7.5.2; RFC 4731 ESEARCH; RFC 5182 SEARCHRES; RFC 7162 CONDSTORE): address keys over
 * names, comments and groups, HEADER existence, substrings of TEXT/BODY, flag keys,
 * sizes, sequence/UID sets after an expunge (with "*" and the UID 4294967295), ESEARCH
 * results incl. out-of-range sets, MODSEQ in ESEARCH, and ENVELOPE address shapes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seed, startServer, type ImapClient, type ImapServer } from '../harness.js';

const m = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));

const addressMsgs = [
  m('From: user-from@domain.org\nTo: user-to@domain.org\nCc: user-cc@domain.org\nBcc: user-bcc@domain.org\nSubject: hello beautiful world\n\nasdfghjkl zxcvbnm\n'),
  m('From: RealFrom <user-from@domain.org>\nTo: RealTo <user-to@domain.org>\nCc: RealCc <user-cc@domain.org>\nBcc: RealBcc <user-bcc@domain.org>\nX-Extra: hello beautiful header\n\nasdfghjkl qwertyuiop\n'),
  m('From: <user-from (comment)@ (comment) domain.org>\nTo: <user-to@domain.org>\nCc: <user-cc@domain.org>\nBcc: <user-bcc@domain.org>\nSubject: qwertyuiop\n\nzxcvbnm\n'),
  m('From: user-from@domain.org (RealFrom)\nTo: user-to@domain.org (RealTo)\nCc: user-cc@domain.org (RealCc)\nBcc: user-bcc@domain.org (RealBcc)\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nzxcvbnm qwertyuiop\n--x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nc2VjcmV0d29yZA==\n--x--\n'),
  m('From: user-from1@domain.org, user-from2@domain.org\nCc: user-cc@domain.org\n\nbody5\n'),
  m('To: groupname: groupuser1@domain.org, groupuser2@domain.org;,\n  groupname2: groupuser3@domain.org;\n\nbody6\n'),
];

describe('imap compliance: SEARCH keys', () => {
  let server: ImapServer;
  let c: ImapClient;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', addressMsgs);
    await seed(server, 'Drafts', [
      m('From: nil@example.net\nSubject: NIL\n\nthe word nil appears here\n'),
      m('From: other@example.net\nSubject: something\n\nnothing to see\n'),
    ]);
    c = await server.login();
  });
  after(() => server.close());

  async function search(q: string): Promise<string> {
    const r = await c.command(`x ${q}`);
    assert.match(r.tagged, /^x OK/, `${q}: ${r.tagged}`);
    const line = r.untagged.find((l) => l.startsWith('* SEARCH') || l.startsWith('* ESEARCH'));
    assert.ok(line !== undefined, `${q}: ${r.untagged.join('|')}`);
    return line.replace(/^\* SEARCH ?/, '');
  }

  it('NIL as a search string is the word "nil" (imaptest "nil")', async () => {
    await c.command('s SELECT Drafts');
    assert.equal(await search('SEARCH SUBJECT NIL'), '1');
    assert.equal(await search('SEARCH BODY nil'), '1');
  });

  it('address keys: full addresses (also with comments inside), display names, substrings, groups', async () => {
    await c.command('s SELECT INBOX');
    const cases: Array<[string, string]> = [
      ['FROM user-from@domain.org', '1 2 3 4'],
      ['TO user-to@domain.org', '1 2 3 4'],
      ['CC user-cc@domain.org', '1 2 3 4 5'],
      ['BCC user-bcc@domain.org', '1 2 3 4'],
      ['FROM realfrom', '2 4'],
      ['TO realto', '2 4'],
      ['CC realcc', '2 4'],
      ['BCC realbcc', '2 4'],
      ['HEADER FROM ""', '1 2 3 4 5'],
      ['HEADER TO ""', '1 2 3 4 6'],
      ['FROM ser-fro', '1 2 3 4 5'],
      ['TO ser-t', '1 2 3 4'],
      ['FROM ealfro', '2 4'],
      ['FROM user-from2', '5'],
      ['TO groupname', '6'],
      ['TO groupname2', '6'],
      ['TO groupuser3', '6'],
      ['TO groupuser4', ''],
    ];
    for (const [q, want] of cases) assert.equal(await search(`SEARCH ${q}`), want, q);
  });

  it('SUBJECT / HEADER substrings and existence; TEXT and BODY substrings; decoded base64 body', async () => {
    const cases: Array<[string, string]> = [
      ['SUBJECT "hello beautiful world"', '1'],
      ['SUBJECT "eautiful worl"', '1'],
      ['HEADER SUBJECT ""', '1 3'],
      ['NOT HEADER SUBJECT ""', '2 4 5 6'],
      ['HEADER X-EXTRA ""', '2'],
      ['HEADER X-EXTRA "eautiful head"', '2'],
      ['TEXT asdfghjkl', '1 2'],
      ['TEXT qwertyuiop', '2 3 4'],
      ['BODY qwertyuiop', '2 4'],
      ['TEXT sdfghjk', '1 2'],
      ['BODY wertyuio', '2 4'],
      ['BODY secretword', '4'],
      ['TEXT ECRETWOR', '4'],
    ];
    for (const [q, want] of cases) assert.equal(await search(`SEARCH ${q}`), want, q);
    await search('SEARCH SUBJECT ""');
  });

  it('flag keys and sizes', async () => {
    await c.command('f STORE 1 FLAGS.SILENT ($hello)');
    await c.command('f STORE 2 FLAGS.SILENT (\\Seen \\Flagged)');
    await c.command('f STORE 3 FLAGS.SILENT (\\Answered $hello)');
    await c.command('f STORE 4 FLAGS.SILENT (\\Flagged \\Draft)');
    await c.command('f STORE 5 FLAGS.SILENT (\\Deleted \\Answered)');
    const cases: Array<[string, string]> = [
      ['ANSWERED', '3 5'],
      ['UNANSWERED', '1 2 4 6'],
      ['DELETED', '5'],
      ['UNDELETED', '1 2 3 4 6'],
      ['DRAFT', '4'],
      ['FLAGGED', '2 4'],
      ['UNFLAGGED', '1 3 5 6'],
      ['SEEN', '2'],
      ['UNSEEN', '1 3 4 5 6'],
      ['KEYWORD $hello', '1 3'],
      ['UNKEYWORD $hello', '2 4 5 6'],
      ['NEW', '1 3 4 5 6'],
      ['OLD', ''],
      ['RECENT', '1 2 3 4 5 6'],
    ];
    for (const [q, want] of cases) assert.equal(await search(`SEARCH ${q}`), want, q);
    const sizes = (await c.command('z FETCH 1:4 RFC822.SIZE')).untagged.map((l) => Number(/RFC822.SIZE (\d+)/.exec(l)![1]));
    const mid = sizes[2]!;
    const by = (p: (n: number) => boolean) => sizes.map((n, i) => (p(n) ? i + 1 : 0)).filter(Boolean).join(' ');
    assert.equal(await search(`SEARCH 1:4 SMALLER ${mid}`), by((n) => n < mid));
    assert.equal(await search(`SEARCH 1:4 LARGER ${mid}`), by((n) => n > mid));
    assert.equal(await search(`SEARCH 1:4 NOT SMALLER ${mid} NOT LARGER ${mid}`), by((n) => n === mid));
  });
});

describe('imap compliance: sets, ESEARCH, SEARCHRES, CONDSTORE', () => {
  let server: ImapServer;
  let c: ImapClient;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', Array.from({ length: 7 }, (_, i) => m(`Subject: ${i + 1}\n\n${i + 1}\n`)));
    c = await server.login();
    await c.command('s SELECT INBOX');
  });
  after(() => server.close());

  async function one(q: string): Promise<string> {
    const r = await c.command(`x ${q}`);
    assert.match(r.tagged, /^x OK/, `${q}: ${r.tagged}`);
    const l = r.untagged.filter((x) => /^\* E?SEARCH/.test(x));
    assert.equal(l.length, 1, `${q}: ${r.untagged.join('|')}`);
    return l[0]!;
  }

  it('sequence and UID sets after an expunge: ranges both ways, "*", beyond the end, 4294967295', async () => {
    await c.command('d STORE 2 +FLAGS.SILENT \\Deleted');
    await c.command('e EXPUNGE');
    // now seq 1..6 = UID 1,3,4,5,6,7
    const cases: Array<[string, string]> = [
      ['SEARCH ALL', '* SEARCH 1 2 3 4 5 6'],
      ['UID SEARCH ALL', '* SEARCH 1 3 4 5 6 7'],
      ['SEARCH 1:3,5', '* SEARCH 1 2 3 5'],
      ['SEARCH 4:2', '* SEARCH 2 3 4'],
      ['SEARCH UID 1:3,5', '* SEARCH 1 2 4'],
      ['SEARCH UID 4:2', '* SEARCH 2 3'],
      ['SEARCH 1:3 NOT UID 3', '* SEARCH 1 3'],
      ['SEARCH NOT 2,4', '* SEARCH 1 3 5 6'],
      ['SEARCH OR 1 UID 3', '* SEARCH 1 2'],
      ['SEARCH *', '* SEARCH 6'],
      ['SEARCH UID *', '* SEARCH 6'],
      ['SEARCH 7:*', '* SEARCH 6'],
      ['SEARCH *:7', '* SEARCH 6'],
      ['SEARCH UID 8:*', '* SEARCH 6'],
      ['SEARCH *:4', '* SEARCH 4 5 6'],
      ['SEARCH 1,4,*', '* SEARCH 1 4 6'],
      ['SEARCH 1000', '* SEARCH'],
      ['SEARCH UID 4294967295', '* SEARCH'],
      ['SEARCH UID 4294967295:*', '* SEARCH 6'],
    ];
    for (const [q, want] of cases) assert.equal(await one(q), want, q);
    const f = await c.command('f UID FETCH 4294967295:* UID');
    assert.deepEqual(f.untagged, ['* 6 FETCH (UID 7)']);
    assert.match((await c.command('b UID FETCH 4294967296 UID')).tagged, /^b BAD/);
  });

  it('ESEARCH: MIN MAX COUNT ALL, empty results, UID form', async () => {
    const cases: Array<[string, string]> = [
      ['SEARCH RETURN (ALL) ALL', '* ESEARCH (TAG "x") ALL 1:6'],
      ['SEARCH RETURN () ALL', '* ESEARCH (TAG "x") ALL 1:6'],
      ['SEARCH RETURN (MIN) ALL', '* ESEARCH (TAG "x") MIN 1'],
      ['SEARCH RETURN (MAX) ALL', '* ESEARCH (TAG "x") MAX 6'],
      ['SEARCH RETURN (COUNT) ALL', '* ESEARCH (TAG "x") COUNT 6'],
      ['UID SEARCH RETURN (ALL) ALL', '* ESEARCH (TAG "x") UID ALL 1,3:7'],
      ['UID SEARCH RETURN (MIN MAX) ALL', '* ESEARCH (TAG "x") UID MIN 1 MAX 7'],
      ['SEARCH RETURN () 1000', '* ESEARCH (TAG "x")'],
      ['SEARCH RETURN (MIN) 1000', '* ESEARCH (TAG "x")'],
      ['SEARCH RETURN (COUNT) 1000', '* ESEARCH (TAG "x") COUNT 0'],
      ['UID SEARCH RETURN () 1000', '* ESEARCH (TAG "x") UID'],
      ['UID SEARCH RETURN (COUNT) 1000', '* ESEARCH (TAG "x") UID COUNT 0'],
    ];
    for (const [q, want] of cases) assert.equal(await one(q), want, q);
  });

  it('SEARCHRES: RETURN (SAVE) then $ in FETCH and SEARCH', async () => {
    const r = await c.command('x SEARCH RETURN (SAVE) 2:3');
    assert.match(r.tagged, /^x OK/);
    assert.deepEqual(r.untagged, []);
    assert.deepEqual((await c.command('f FETCH $ UID')).untagged, ['* 2 FETCH (UID 3)', '* 3 FETCH (UID 4)']);
    assert.equal(await one('UID SEARCH UID $'), '* SEARCH 3 4');
  });

  it('CONDSTORE: FETCH MODSEQ announces HIGHESTMODSEQ; ESEARCH MODSEQ is of the MIN/MAX message', async () => {
    const f = await c.command('f FETCH 1 MODSEQ');
    assert.ok(f.untagged.some((l) => /^\* OK \[HIGHESTMODSEQ \d+\]/.test(l)), f.untagged.join('|'));
    const mod: number[] = [];
    for (const n of [1, 3, 2, 4]) {
      const s = await c.command(`s STORE ${n} +FLAGS \\Seen`);
      mod[n] = Number(/MODSEQ \((\d+)\)/.exec(s.untagged.join(' '))![1]);
    }
    assert.ok(mod[1]! < mod[3]! && mod[3]! < mod[2]! && mod[2]! < mod[4]!);
    const q = 'MODSEQ "/flags/\\\\seen" all';
    assert.equal(await one(`SEARCH RETURN (MIN) 1:3 ${q} 1`), `* ESEARCH (TAG "x") MIN 1 MODSEQ ${mod[1]}`);
    assert.equal(await one(`SEARCH RETURN (MAX) 1:3 ${q} 1`), `* ESEARCH (TAG "x") MAX 3 MODSEQ ${mod[3]}`);
    assert.equal(await one(`SEARCH RETURN () 1:3 ${q} 1`), `* ESEARCH (TAG "x") ALL 1:3 MODSEQ ${mod[2]}`);
    assert.equal(await one(`SEARCH RETURN (MIN MAX) 2:3 ${q} 1`), `* ESEARCH (TAG "x") MIN 2 MAX 3 MODSEQ ${mod[2]}`);
    assert.equal(await one(`SEARCH RETURN (ALL) 2:3 ${q} ${mod[3]}`), `* ESEARCH (TAG "x") ALL 2:3 MODSEQ ${mod[2]}`);
    assert.equal(await one(`SEARCH RETURN (ALL) 2:3 ${q} ${mod[2]}`), `* ESEARCH (TAG "x") ALL 2 MODSEQ ${mod[2]}`);
    assert.equal(await one(`SEARCH RETURN (ALL) 2:3 ${q} ${mod[4]}`), '* ESEARCH (TAG "x")');
  });
});

describe('imap compliance: ENVELOPE shapes', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [
      m('Message-ID: <msg@id>\nIn-Reply-To: <reply@to.id>\nDate: Sat, 01 Feb 2007 01:02:03 +0200\nSubject: subject header\nFrom: From Real <fromuser@fromdomain.org>\nTo: To Real <touser@todomain.org>\nCc: Cc Real <ccuser@ccdomain.org>\nBcc: Bcc Real <bccuser@bccdomain.org>\nSender: Sender Real <senderuser@senderdomain.org>\nReply-To: ReplyTo Real <replytouser@replytodomain.org>\n\nbody\n'),
      readFileSync(join(process.cwd(), 'test/fixtures/imap/addresses.eml')),
      m('Date: Sat, 01 Feb 2007 01:02:03 +0200\nFrom: <@route:user@domain>\n\nbody\n'),
      m('\nno header at all\n'),
    ]);
  });
  after(() => server.close());

  it('every field, comments as names, empty Sender/Reply-To default to From, groups, source routes, no header', async () => {
    const c = await server.login();
    await c.command('s SELECT INBOX');
    const r = await c.command('f FETCH 1:4 ENVELOPE');
    assert.deepEqual(r.untagged, [
      '* 1 FETCH (ENVELOPE ("Sat, 01 Feb 2007 01:02:03 +0200" "subject header" (("From Real" NIL "fromuser" "fromdomain.org")) ' +
        '(("Sender Real" NIL "senderuser" "senderdomain.org")) (("ReplyTo Real" NIL "replytouser" "replytodomain.org")) ' +
        '(("To Real" NIL "touser" "todomain.org")) (("Cc Real" NIL "ccuser" "ccdomain.org")) (("Bcc Real" NIL "bccuser" "bccdomain.org")) ' +
        '"<reply@to.id>" "<msg@id>"))',
      '* 2 FETCH (ENVELOPE ("Wed, 11 Jun 2014 16:00:00 +0200" "address shapes" (("Leo Comment" NIL "leo" "example.net")) ' +
        '(("Leo Comment" NIL "leo" "example.net")) (("Leo Comment" NIL "leo" "example.net")) ' +
        '((NIL NIL "team" NIL)(NIL NIL "m1" "d1.example")(NIL NIL "m2" "d2.example")(NIL NIL NIL NIL)(NIL NIL "other" NIL)(NIL NIL "m3" "d3.example")(NIL NIL NIL NIL)) ' +
        '((NIL "@relay.example" "nina" "example.org")("Quoted, Name" NIL "oscar" "example.com")) ' +
        '((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) "<parent@example.net>" "<child@example.net>"))',
      '* 3 FETCH (ENVELOPE ("Sat, 01 Feb 2007 01:02:03 +0200" NIL ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) ' +
        '((NIL "@route" "user" "domain")) NIL NIL NIL NIL NIL))',
      '* 4 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))',
    ]);
  });
});
