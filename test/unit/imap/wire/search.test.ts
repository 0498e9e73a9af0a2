import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchArgs, searchUsesModseq } from '../../../../src/imap/wire/args/search.js';
import { WireError } from '../../../../src/imap/wire/errors.js';
import { argsOf } from './util.js';

test('RFC 9051 §6.4.4 example: SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', () => {
  const s = parseSearchArgs(argsOf('A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"'));
  assert.equal(s.ret, null);
  assert.equal(s.charset, null);
  assert.deepEqual(s.query, {
    op: 'and',
    of: [
      { op: 'flag', flag: '\\Flagged', set: true },
      { op: 'internaldate', cmp: 'since', date: '1994-02-01' },
      { op: 'not', of: { op: 'header', field: 'from', value: 'Smith' } },
    ],
  });
});

test('RFC 9051 §6.4.4 examples: RETURN (), CHARSET with literal, OR/parentheses', () => {
  const a = parseSearchArgs(argsOf('A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"'));
  assert.deepEqual(a.ret, { min: false, max: false, all: true, count: false, save: false, update: false, context: false, partial: null });
  const b = parseSearchArgs(argsOf('A285 SEARCH CHARSET UTF-8 TEXT {8}\r\nмать\r\n'));
  assert.equal(b.charset, 'UTF-8');
  assert.deepEqual(b.query, { op: 'text', value: 'мать' });
  const c = parseSearchArgs(argsOf('A286 SEARCH OR (FROM "a" TO b) (SUBJECT "c d" UNSEEN) 2:4,*'));
  assert.deepEqual(c.query, {
    op: 'and',
    of: [
      {
        op: 'or',
        of: [
          {
            op: 'and',
            of: [
              { op: 'header', field: 'from', value: 'a' },
              { op: 'header', field: 'to', value: 'b' },
            ],
          },
          {
            op: 'and',
            of: [
              { op: 'header', field: 'subject', value: 'c d' },
              { op: 'flag', flag: '\\Seen', set: false },
            ],
          },
        ],
      },
      {
        op: 'seq',
        set: {
          saved: false,
          ranges: [
            [2, 4],
            ['*', '*'],
          ],
        },
      },
    ],
  });
});

test('every search key of RFC 9051 §6.4.4 and RFC 3501 NEW/OLD/RECENT', () => {
  const line =
    'A SEARCH ALL ANSWERED BCC b BEFORE 2-Mar-2020 BODY x CC c DELETED DRAFT FLAGGED FROM f HEADER X-Spam yes ' +
    'KEYWORD $Junk LARGER 100 NEW NOT SEEN OLD ON "31-Dec-1999" OR SEEN DRAFT RECENT SEEN SENTBEFORE 1-Jan-2000 ' +
    'SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 SMALLER 5 SUBJECT s TEXT t TO t2 UID 1:100 ' +
    'UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD foo UNSEEN 1 $ MODSEQ 620162338 MODSEQ "/flags/\\\\draft" all 5';
  const q = parseSearchArgs(argsOf(line)).query;
  assert.equal(q.op, 'and');
  const ops = q.op === 'and' ? q.of : [];
  assert.deepEqual(ops, [
    { op: 'all' },
    { op: 'flag', flag: '\\Answered', set: true },
    { op: 'header', field: 'bcc', value: 'b' },
    { op: 'internaldate', cmp: 'before', date: '2020-03-02' },
    { op: 'body', value: 'x' },
    { op: 'header', field: 'cc', value: 'c' },
    { op: 'flag', flag: '\\Deleted', set: true },
    { op: 'flag', flag: '\\Draft', set: true },
    { op: 'flag', flag: '\\Flagged', set: true },
    { op: 'header', field: 'from', value: 'f' },
    { op: 'header', field: 'x-spam', value: 'yes' },
    { op: 'flag', flag: '$Junk', set: true },
    { op: 'size', cmp: 'larger', n: 100 },
    { op: 'new' },
    { op: 'not', of: { op: 'flag', flag: '\\Seen', set: true } },
    { op: 'recent', set: false },
    { op: 'internaldate', cmp: 'on', date: '1999-12-31' },
    {
      op: 'or',
      of: [
        { op: 'flag', flag: '\\Seen', set: true },
        { op: 'flag', flag: '\\Draft', set: true },
      ],
    },
    { op: 'recent', set: true },
    { op: 'flag', flag: '\\Seen', set: true },
    { op: 'sentdate', cmp: 'before', date: '2000-01-01' },
    { op: 'sentdate', cmp: 'on', date: '2000-01-01' },
    { op: 'sentdate', cmp: 'since', date: '2000-01-01' },
    { op: 'internaldate', cmp: 'since', date: '2000-01-01' },
    { op: 'size', cmp: 'smaller', n: 5 },
    { op: 'header', field: 'subject', value: 's' },
    { op: 'text', value: 't' },
    { op: 'header', field: 'to', value: 't2' },
    { op: 'uid', set: { saved: false, ranges: [[1, 100]] } },
    { op: 'flag', flag: '\\Answered', set: false },
    { op: 'flag', flag: '\\Deleted', set: false },
    { op: 'flag', flag: '\\Draft', set: false },
    { op: 'flag', flag: '\\Flagged', set: false },
    { op: 'flag', flag: 'foo', set: false },
    { op: 'flag', flag: '\\Seen', set: false },
    { op: 'seq', set: { saved: false, ranges: [[1, 1]] } },
    { op: 'seq', set: { saved: true } },
    { op: 'modseq', min: 620162338, entry: null },
    { op: 'modseq', min: 5, entry: { name: '/flags/\\draft', type: 'all' } },
  ]);
});

test('UID $ and ESEARCH RETURN options incl. SAVE (RFC 4731, RFC 5182)', () => {
  const s = parseSearchArgs(argsOf('A SEARCH RETURN (MIN MAX COUNT SAVE) CHARSET us-ascii UID $'));
  assert.deepEqual(s.ret, { min: true, max: true, all: false, count: true, save: true, update: false, context: false, partial: null });
  assert.equal(s.charset, 'US-ASCII');
  assert.deepEqual(s.query, { op: 'uid', set: { saved: true } });
  assert.equal(searchUsesModseq(s.query), false);
  assert.equal(searchUsesModseq(parseSearchArgs(argsOf('A SEARCH OR SEEN NOT MODSEQ 5')).query), true);
});

test('unsupported CHARSET is a BADCHARSET WireError', () => {
  assert.throws(
    () => parseSearchArgs(argsOf('A SEARCH CHARSET KOI8-R TEXT x')),
    (e: unknown) => e instanceof WireError && e.code === 'BADCHARSET',
  );
});

test('bad SEARCH arguments are BAD', () => {
  for (const line of [
    'A SEARCH',
    'A SEARCH FOO',
    'A SEARCH SINCE 1994-02-01',
    'A SEARCH SINCE 31-Feb-1994',
    'A SEARCH SINCE 1-Fbr-1994',
    'A SEARCH LARGER x',
    'A SEARCH OR SEEN',
    'A SEARCH NOT',
    'A SEARCH FROM',
    'A SEARCH ()',
    'A SEARCH RETURN (FOO) ALL',
    'A SEARCH RETURN ALL',
    'A SEARCH UID x',
    'A SEARCH 0',
    'A SEARCH KEYWORD (x)',
    'A SEARCH HEADER "a:b" c',
    'A SEARCH ' + 'NOT '.repeat(200) + 'SEEN',
  ]) {
    assert.throws(
      () => parseSearchArgs(argsOf(line)),
      (e: unknown) => e instanceof WireError && e.code === 'BAD',
      line,
    );
  }
});

test('resolveSearch turns sets and RECENT/OLD/NEW into UID sets through the session view', async () => {
  const { resolveSearch } = await import('../../../../src/imap/commands/search-keys.js');
  const { SelectedView } = await import('../../../../src/imap/session/selected.js');
  const info = { id: 1, accountId: 1, name: 'INBOX', specialUse: null, subscribed: true, uidValidity: 7, uidNext: 100, highestModseq: 1 };
  const v = new SelectedView(info, Uint32Array.from([10, 11, 12, 42, 99]), false, 'test');
  v.addRecent(42, 42);
  const q = parseSearchArgs(argsOf('A SEARCH 1:2 UID 40:* NEW OLD RECENT OR MODSEQ 7 TEXT x')).query;
  assert.deepEqual(resolveSearch(q, v), {
    op: 'and',
    of: [
      { op: 'uid', set: [[10, 11]] },
      { op: 'uid', set: [42, 99] },
      {
        op: 'and',
        of: [
          { op: 'uid', set: [42] },
          { op: 'flag', flag: '\\Seen', set: false },
        ],
      },
      { op: 'not', of: { op: 'uid', set: [42] } },
      { op: 'uid', set: [42] },
      {
        op: 'or',
        of: [
          { op: 'modseq', min: 7 },
          { op: 'text', value: 'x' },
        ],
      },
    ],
  });
});
