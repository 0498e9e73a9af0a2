import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeMutf7,
  decodeMutf7,
  listMatcher,
  joinListReference,
  parentNames,
  parseDateTime,
  parseSearchDate,
  formatDateTime,
  formatSequenceSet,
  formatSequenceList,
  WireError,
} from '../../../../src/imap/wire/index.js';
import {
  decodeMailboxName,
  encodeMailboxName,
  normalizeInbox,
  parseSequenceSet,
  resolveSequenceSet,
  parseFlag,
} from '../../../../src/imap/wire/args/index.js';

test('modified UTF-7: RFC 3501 §5.1.3 example both ways', () => {
  assert.equal(encodeMutf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  assert.equal(decodeMutf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
});

test('modified UTF-7: "&", astral characters, control chars, round trips', () => {
  assert.equal(encodeMutf7('Tom & Jerry'), 'Tom &- Jerry');
  assert.equal(decodeMutf7('Tom &- Jerry'), 'Tom & Jerry');
  for (const s of ['Entwürfe', 'Gesendete Objekte', '😀 mail', 'a\u0001b', 'ÄÖÜ/äöü/ß', '&&&', 'x&ü&y', '']) {
    assert.equal(decodeMutf7(encodeMutf7(s)), s, s);
    assert.match(encodeMutf7(s), /^[\x20-\x7e]*$/);
  }
  assert.equal(encodeMutf7('Entwürfe'), 'Entw&APw-rfe');
});

test('modified UTF-7: invalid input is rejected', () => {
  for (const bad of ['&U,BTFw', '&AGE-', 'caf\u00e9', '&Jjo!-', '&A-', '&2D0-', '&AGEAYgBj-', '&U,BTF-']) {
    assert.throws(() => decodeMutf7(bad), WireError, bad);
  }
});

test('mailbox names: INBOX normalisation, rev1 vs UTF-8 sessions', () => {
  assert.equal(normalizeInbox('inbox'), 'INBOX');
  assert.equal(normalizeInbox('InBoX/Sub'), 'INBOX/Sub');
  assert.equal(normalizeInbox('inboxes'), 'inboxes');
  assert.equal(decodeMailboxName('&ZeVnLIqe-', { utf8: false }), '日本語');
  assert.equal(decodeMailboxName('&ZeVnLIqe-', { utf8: true }), '&ZeVnLIqe-');
  assert.equal(decodeMailboxName('日本語', { utf8: true }), '日本語');
  assert.throws(() => decodeMailboxName('日本語', { utf8: false }), WireError);
  assert.equal(encodeMailboxName('日本語', { utf8: false }), '&ZeVnLIqe-');
  assert.equal(encodeMailboxName('日本語', { utf8: true }), '日本語');
});

test('LIST wildcards (RFC 9051 §6.3.9): * crosses the delimiter, % does not; INBOX case-insensitive', () => {
  const names = ['INBOX', 'INBOX/Sub', 'Sent', 'Archive/2020', 'Archive/2020/Jan', 'foo.bar', 'fooXbar', 'Entwürfe'];
  const m = (p: string) => names.filter(listMatcher(p));
  assert.deepEqual(m('*'), names);
  assert.deepEqual(m('%'), ['INBOX', 'Sent', 'foo.bar', 'fooXbar', 'Entwürfe']);
  assert.deepEqual(m('Archive/%'), ['Archive/2020']);
  assert.deepEqual(m('Archive/*'), ['Archive/2020', 'Archive/2020/Jan']);
  assert.deepEqual(m('inbox'), ['INBOX']);
  assert.deepEqual(m('inbox/%'), ['INBOX/Sub']);
  assert.deepEqual(m('Inbox*'), ['INBOX', 'INBOX/Sub']);
  assert.deepEqual(m('foo.bar'), ['foo.bar']); // "." is not a regexp wildcard
  assert.deepEqual(m('%/%/%'), ['Archive/2020/Jan']);
  assert.deepEqual(m('Entw%'), ['Entwürfe']);
  assert.deepEqual(m(''), []);
  assert.deepEqual(m('sent'), []); // only INBOX is case-insensitive
  // regexp metacharacters in names are literal (a "-" once made the pattern invalid)
  for (const n of ['Sent-Items', 'a.b-c(d)[e]{f}|g+h?^$\\x', 'x/y-z']) assert.equal(listMatcher(n)(n), true, n);
  assert.equal(listMatcher('a.c')('abc'), false);
  assert.equal(listMatcher('%-%')('Sent-Items'), true);
  assert.equal(joinListReference('~/Mail/', '%'), '~/Mail/%');
  assert.deepEqual(parentNames('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(parentNames('a'), []);
});

test('dates: INTERNALDATE date-time and SEARCH dates (RFC 9051 §9)', () => {
  assert.equal(parseDateTime('17-Jul-1996 02:44:25 -0700').toISOString(), '1996-07-17T09:44:25.000Z');
  assert.equal(parseDateTime(' 1-jan-2000 00:00:00 +0130').toISOString(), '1999-12-31T22:30:00.000Z');
  assert.equal(formatDateTime(new Date('1996-07-17T09:44:25Z')), '17-Jul-1996 09:44:25 +0000');
  assert.equal(formatDateTime(new Date('1996-07-17T09:44:25Z'), -420), '17-Jul-1996 02:44:25 -0700');
  assert.equal(formatDateTime(new Date('2000-01-05T01:02:03Z'), 90), '05-Jan-2000 02:32:03 +0130');
  for (const s of ['17-Jul-1996 02:44:25 -0700', '05-Jan-2000 02:32:03 +0130', '29-Feb-2024 23:59:59 -1200']) {
    const d = parseDateTime(s);
    const off = (s.endsWith('-0700') ? -420 : s.endsWith('+0130') ? 90 : -720);
    assert.equal(formatDateTime(d, off), s);
  }
  assert.equal(parseSearchDate('1-Feb-1994'), '1994-02-01');
  assert.equal(parseSearchDate('29-feb-2024'), '2024-02-29');
  for (const bad of ['29-Feb-2023', '1-Foo-1994', '1994-02-01', '32-Jan-2000', '1-Feb-94']) assert.throws(() => parseSearchDate(bad), WireError, bad);
  for (const bad of ['17-Jul-1996 24:00:00 -0700', '17-Jul-1996 02:44:25', '17-Jul-1996 02:44:25 0700', '31-Apr-1996 02:44:25 -0700']) {
    assert.throws(() => parseDateTime(bad), WireError, bad);
  }
});

test('sequence sets (RFC 9051 §9 sequence-set, RFC 5182 "$")', () => {
  assert.deepEqual(parseSequenceSet('2,4:7,9,12:*'), {
    saved: false,
    ranges: [
      [2, 2],
      [4, 7],
      [9, 9],
      [12, '*'],
    ],
  });
  assert.deepEqual(parseSequenceSet('$'), { saved: true });
  assert.deepEqual(resolveSequenceSet(parseSequenceSet('*:4,5:7,1,2'), 10), [
    [1, 2],
    [4, 10],
  ]);
  assert.deepEqual(resolveSequenceSet(parseSequenceSet('3:*'), 1), [[1, 3]]); // RFC 9051: n:* with n > * is *:n
  for (const bad of ['0', '1:0', '', ',', '1,', 'a', '1:2:3', '$,1', '4294967296', '-1', '1 2']) {
    assert.throws(() => parseSequenceSet(bad), WireError, bad);
  }
  assert.equal(formatSequenceSet([5, 1, 2, 3, 9, 10, 7]), '1:3,5,7,9:10');
  assert.equal(formatSequenceList([5, 6, 1, 2, 9]), '5:6,1:2,9');
  assert.equal(formatSequenceSet([]), '');
});

test('flags: system flags normalised, keywords kept, bad atoms rejected', () => {
  assert.equal(parseFlag('\\seen'), '\\Seen');
  assert.equal(parseFlag('\\DRAFT'), '\\Draft');
  assert.equal(parseFlag('$Forwarded'), '$Forwarded');
  assert.equal(parseFlag('\\X-Ext'), '\\X-Ext');
  for (const bad of ['a*b', 'a%', '\\', 'a]', 'x"y']) assert.throws(() => parseFlag(bad), WireError, bad);
});
