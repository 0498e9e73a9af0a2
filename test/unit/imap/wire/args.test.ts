import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseStoreArgs,
  parseStatusArgs,
  parseListArgs,
  parseLsubArgs,
  parseAppendArgs,
  parseSelectArgs,
  parseCreateArgs,
  parseRenameArgs,
  parseCopyArgs,
  parseMailboxArg,
  parseLoginArgs,
  parseAuthenticateArgs,
  decodeSaslResponse,
  parseEnableArgs,
  parseIdArgs,
  parseUidExpungeArgs,
  parseNoArgs,
} from '../../../../src/imap/wire/args/index.js';
import { WireError } from '../../../../src/imap/wire/index.js';
import { argsOf } from './util.js';

const rev1 = { utf8: false };
const rev2 = { utf8: true };

function isBad(e: unknown): boolean {
  return e instanceof WireError && e.code === 'BAD';
}

test('STORE (RFC 9051 §6.4.6 examples, RFC 7162 UNCHANGEDSINCE)', () => {
  assert.deepEqual(parseStoreArgs(argsOf('A003 STORE 2:4 +FLAGS (\\Deleted)')), {
    set: { saved: false, ranges: [[2, 4]] },
    op: 'add',
    silent: false,
    flags: ['\\Deleted'],
    unchangedSince: null,
  });
  assert.deepEqual(parseStoreArgs(argsOf('A004 STORE 1 flags.silent \\seen \\FLAGGED $Forwarded')), {
    set: { saved: false, ranges: [[1, 1]] },
    op: 'replace',
    silent: true,
    flags: ['\\Seen', '\\Flagged', '$Forwarded'],
    unchangedSince: null,
  });
  const u = parseStoreArgs(argsOf('a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)'));
  assert.equal(u.unchangedSince, 12121230045);
  assert.equal(u.op, 'add');
  assert.equal(u.silent, true);
  assert.deepEqual(parseStoreArgs(argsOf('A STORE 1 -FLAGS ()')).flags, []);
  assert.equal(parseStoreArgs(argsOf('A STORE 1 -FLAGS ()')).op, 'remove');
  for (const l of ['A STORE 1', 'A STORE 1 FLAGZ (\\Seen)', 'A STORE 1 +FLAGS', 'A STORE 1 FLAGS (\\Seen) x', 'A STORE 1 (FOO 1) FLAGS ()', 'A STORE 1 FLAGS (a]b)', 'A STORE 1 FLAGS (%x)']) {
    assert.throws(() => parseStoreArgs(argsOf(l)), isBad, l);
  }
});

test('STATUS (RFC 9051 §6.3.11 example and extension items)', () => {
  assert.deepEqual(parseStatusArgs(argsOf('A042 STATUS blurdybloop (UIDNEXT MESSAGES)'), rev1), {
    mailbox: 'blurdybloop',
    items: ['UIDNEXT', 'MESSAGES'],
  });
  assert.deepEqual(
    parseStatusArgs(argsOf('A STATUS inbox (messages uidnext uidvalidity unseen deleted size recent highestmodseq appendlimit)'), rev1).items,
    ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'RECENT', 'HIGHESTMODSEQ', 'APPENDLIMIT'],
  );
  assert.equal(parseStatusArgs(argsOf('A STATUS inbox (MESSAGES)'), rev1).mailbox, 'INBOX');
  for (const l of ['A STATUS x', 'A STATUS x ()', 'A STATUS x (FOO)', 'A STATUS x MESSAGES', 'A STATUS (MESSAGES)']) {
    assert.throws(() => parseStatusArgs(argsOf(l), rev1), isBad, l);
  }
});

test('LIST basic and RFC 5258 LIST-EXTENDED examples', () => {
  const a = parseListArgs(argsOf('A202 LIST ~/Mail/ %'), rev1);
  assert.deepEqual(a, {
    extended: false,
    selection: { subscribed: false, remote: false, recursiveMatch: false, specialUse: false },
    reference: '~/Mail/',
    patterns: ['%'],
    ret: { subscribed: false, children: false, specialUse: false, status: null, myRights: false },
  });
  const b = parseListArgs(argsOf('A02 LIST (SUBSCRIBED) "" "*"'), rev1);
  assert.equal(b.extended, true);
  assert.equal(b.selection.subscribed, true);
  assert.deepEqual(b.patterns, ['*']);
  const c = parseListArgs(argsOf('A03 LIST () "" "%" RETURN (CHILDREN)'), rev1);
  assert.equal(c.ret.children, true);
  const d = parseListArgs(argsOf('A04 LIST (REMOTE) "" "%" RETURN (CHILDREN)'), rev1);
  assert.equal(d.selection.remote, true);
  const e = parseListArgs(argsOf('A05 LIST (REMOTE SUBSCRIBED) "/" "*"'), rev1);
  assert.deepEqual([e.selection.remote, e.selection.subscribed, e.reference], [true, true, '/']);
  const f = parseListArgs(argsOf('C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (SUBSCRIBED)'), rev1);
  assert.deepEqual([f.selection.recursiveMatch, f.ret.subscribed], [true, true]);
  const g = parseListArgs(argsOf('D04 LIST () "" ("INBOX" "Drafts" "Sent/%")'), rev1);
  assert.deepEqual(g.patterns, ['INBOX', 'Drafts', 'Sent/%']);
  const h = parseListArgs(argsOf('A02 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))'), rev1); // RFC 5819
  assert.deepEqual(h.ret.status, ['MESSAGES', 'UNSEEN']);
  const i = parseListArgs(argsOf('t3 LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)'), rev1); // RFC 6154
  assert.deepEqual([i.selection.specialUse, i.ret.specialUse], [true, true]);
  assert.deepEqual(parseListArgs(argsOf('A LIST "" "&ZeVnLIqe-/%"'), rev1).patterns, ['日本語/%']);
  assert.deepEqual(parseListArgs(argsOf('A LIST "" "日本語/%"'), rev2).patterns, ['日本語/%']);
  for (const l of [
    'A LIST',
    'A LIST ""',
    'A LIST (RECURSIVEMATCH) "" "%"',
    'A LIST (REMOTE RECURSIVEMATCH) "" "%"',
    'A LIST (FOO) "" "%"',
    'A LIST "" "%" RETURN (FOO)',
    'A LIST "" "%" (CHILDREN)',
    'A LIST "" ()',
    'A LIST "" "%" RETURN (STATUS ())',
  ]) {
    assert.throws(() => parseListArgs(argsOf(l), rev1), isBad, l);
  }
  assert.deepEqual(parseLsubArgs(argsOf('A002 LSUB "#news." "comp.mail.*"'), rev1), { reference: '#news.', pattern: 'comp.mail.*' });
});

test('APPEND: RFC 9051 §6.3.12 example, date-time, MULTIAPPEND (RFC 3502), literal8 and UTF8 (RFC 6855)', () => {
  const msg =
    'Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\n' +
    'Subject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu.example\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n';
  const n = Buffer.byteLength(msg);
  const a = parseAppendArgs(argsOf(`A003 APPEND saved-messages (\\Seen) {${n}}\r\n${msg}\r\n`), rev1);
  assert.equal(a.mailbox, 'saved-messages');
  assert.equal(a.messages.length, 1);
  assert.deepEqual(a.messages[0]!.flags, ['\\Seen']);
  assert.equal(a.messages[0]!.date, null);
  assert.equal(a.messages[0]!.data.toString(), msg);
  const b = parseAppendArgs(
    argsOf(`A1 APPEND INBOX "17-Jul-1996 09:01:33 -0700" {${n}+}\r\n${msg} (\\Seen $X) " 5-Jan-2000 00:00:00 +0100" {3}\r\nabc ~{2}\r\n\u0000\u0001 UTF8 (~{2}\r\nhi)\r\n`),
    rev1,
  );
  assert.equal(b.mailbox, 'INBOX');
  assert.equal(b.messages.length, 4);
  assert.equal(b.messages[0]!.flags, null);
  assert.equal(b.messages[0]!.date!.toISOString(), '1996-07-17T16:01:33.000Z');
  assert.deepEqual(b.messages[1]!.flags, ['\\Seen', '$X']);
  assert.equal(b.messages[1]!.date!.toISOString(), '2000-01-04T23:00:00.000Z');
  assert.equal(b.messages[2]!.binary, true);
  assert.deepEqual([...b.messages[2]!.data], [0, 1]);
  assert.deepEqual([b.messages[3]!.utf8, b.messages[3]!.data.toString()], [true, 'hi']);
  for (const l of [
    'A APPEND INBOX',
    'A APPEND INBOX (\\Seen)',
    'A APPEND INBOX "not a date" {1}\r\nx',
    'A APPEND INBOX (\\Seen) "17-Jul-1996 09:01:33 -0700"',
    'A APPEND INBOX {1}\r\nx (\\Seen)',
    'A APPEND INBOX NOTLITERAL',
    'A APPEND INBOX UTF8 ({1}\r\nx {1}\r\ny)',
  ]) {
    assert.throws(() => parseAppendArgs(argsOf(l.includes('\r\n') ? l + '\r\n' : l), rev1), isBad, l);
  }
});

test('SELECT / EXAMINE with CONDSTORE and QRESYNC (RFC 9051 §6.3.2, RFC 7162 §3.2.5 examples)', () => {
  assert.deepEqual(parseSelectArgs(argsOf('A142 SELECT INBOX'), rev1), { mailbox: 'INBOX', condstore: false, qresync: null });
  assert.deepEqual(parseSelectArgs(argsOf('A142 SELECT inbox (CONDSTORE)'), rev1), { mailbox: 'INBOX', condstore: true, qresync: null });
  const q = parseSelectArgs(argsOf('A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))'), rev1).qresync!;
  assert.equal(q.uidValidity, 67890007);
  assert.equal(q.modseq, 20050715194045000);
  assert.deepEqual(q.knownUids, {
    saved: false,
    ranges: [
      [41, 41],
      [43, 211],
      [214, 541],
    ],
  });
  assert.equal(q.seqMatch, null);
  const q2 = parseSelectArgs(
    argsOf('B02 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))'),
    rev1,
  ).qresync!;
  assert.deepEqual(q2.seqMatch!.seqs, {
    saved: false,
    ranges: [
      [5000, 5000],
      [7500, 7500],
      [9000, 9000],
      [9990, 9999],
    ],
  });
  assert.equal(q2.seqMatch!.uids.saved === false && q2.seqMatch!.uids.ranges.length, 13);
  const q3 = parseSelectArgs(argsOf('A SELECT INBOX (QRESYNC (1 2))'), rev1).qresync!;
  assert.deepEqual([q3.knownUids, q3.seqMatch], [null, null]);
  for (const l of ['A SELECT', 'A SELECT INBOX FOO', 'A SELECT INBOX (FOO)', 'A SELECT INBOX (QRESYNC (0 1))', 'A SELECT INBOX (QRESYNC 1 2)', 'A SELECT INBOX (QRESYNC (1))']) {
    assert.throws(() => parseSelectArgs(argsOf(l), rev1), isBad, l);
  }
});

test('CREATE (RFC 6154 USE), RENAME, COPY/MOVE, DELETE, UID EXPUNGE', () => {
  assert.deepEqual(parseCreateArgs(argsOf('t1 CREATE "Everything" (USE (\\All))'), rev1), { mailbox: 'Everything', specialUse: ['\\All'] });
  assert.deepEqual(parseCreateArgs(argsOf('A003 CREATE owatagusiam/'), rev1), { mailbox: 'owatagusiam/', specialUse: null });
  assert.deepEqual(parseRenameArgs(argsOf('A683 RENAME blurdybloop sarasoop'), rev1), { from: 'blurdybloop', to: 'sarasoop' });
  assert.deepEqual(parseRenameArgs(argsOf('A RENAME "inbox" "&ZeVnLIqe-"'), rev1), { from: 'INBOX', to: '日本語' });
  assert.deepEqual(parseCopyArgs(argsOf('A003 COPY 2:4 MEETING'), rev1), { set: { saved: false, ranges: [[2, 4]] }, mailbox: 'MEETING' });
  assert.deepEqual(parseCopyArgs(argsOf('a UID MOVE 42:69 foo'), rev1, 'MOVE').mailbox, 'foo');
  assert.equal(parseMailboxArg(argsOf('A682 DELETE {4}\r\nblah'), rev1), 'blah');
  assert.deepEqual(parseUidExpungeArgs(argsOf('A003 UID EXPUNGE 3000:3002')), { saved: false, ranges: [[3000, 3002]] });
  assert.throws(() => parseCopyArgs(argsOf('A COPY 2:4'), rev1), isBad);
  assert.throws(() => parseMailboxArg(argsOf('A DELETE a b'), rev1), isBad);
  // well-formed but not modified UTF-7: NO [CANNOT], not BAD (issue 11)
  assert.throws(() => parseMailboxArg(argsOf('A DELETE "&Jjo"'), rev1), (e: unknown) => e instanceof WireError && e.code === 'CANNOT');
  assert.throws(() => parseCreateArgs(argsOf('A CREATE x (USE (All))'), rev1), isBad);
  assert.throws(() => parseNoArgs(argsOf('A NOOP x'), 'NOOP'), isBad);
  parseNoArgs(argsOf('A NOOP'), 'NOOP');
});

test('LOGIN, AUTHENTICATE with SASL-IR (RFC 4959), ENABLE, ID (RFC 2971)', () => {
  assert.deepEqual(parseLoginArgs(argsOf('a001 LOGIN SMITH SESAME')), { username: 'SMITH', password: 'SESAME' });
  assert.deepEqual(parseLoginArgs(argsOf('a001 LOGIN "fred@x.org" {5}\r\np w"d')), { username: 'fred@x.org', password: 'p w"d' });
  const a = parseAuthenticateArgs(argsOf('a AUTHENTICATE plain AGZyZWQAc2VjcmV0'));
  assert.equal(a.mechanism, 'PLAIN');
  assert.equal(a.initialResponse!.toString('latin1'), '\0fred\0secret');
  assert.deepEqual(parseAuthenticateArgs(argsOf('a AUTHENTICATE PLAIN =')).initialResponse, Buffer.alloc(0));
  assert.equal(parseAuthenticateArgs(argsOf('a AUTHENTICATE LOGIN')).initialResponse, null);
  assert.throws(() => parseAuthenticateArgs(argsOf('a AUTHENTICATE PLAIN AGZy!')), isBad);
  assert.equal(decodeSaslResponse('*'), null);
  assert.deepEqual(parseEnableArgs(argsOf('t2 ENABLE CONDSTORE X-GOOD-IDEA utf8=accept')), ['CONDSTORE', 'X-GOOD-IDEA', 'UTF8=ACCEPT']);
  assert.throws(() => parseEnableArgs(argsOf('t2 ENABLE')), isBad);
  assert.deepEqual(parseIdArgs(argsOf('a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited" "x" NIL)')), [
    ['name', 'sodr'],
    ['version', '19.34'],
    ['vendor', 'Pink Floyd Music Limited'],
    ['x', null],
  ]);
  assert.equal(parseIdArgs(argsOf('a ID NIL')), null);
  assert.throws(() => parseIdArgs(argsOf('a ID ("name")')), isBad);
  assert.throws(() => parseIdArgs(argsOf(`a ID ("${'k'.repeat(31)}" "v")`)), isBad);
  const many = Array.from({ length: 31 }, (_, i) => `"k${i}" "v"`).join(' ');
  assert.throws(() => parseIdArgs(argsOf(`a ID (${many})`)), isBad);
});
