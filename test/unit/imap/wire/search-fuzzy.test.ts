import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchArgs } from '../../../../src/imap/wire/args/search.js';
import { argsOf } from './util.js';

test('RFC 6203 §3 example: FUZZY SUBJECT is fuzzy, the FROM beside it is not', () => {
  const s = parseSearchArgs(argsOf('A2 SEARCH FUZZY (SUBJECT "IMAP break") FROM "alice"'));
  assert.deepEqual(s.query, {
    op: 'and',
    of: [
      { op: 'header', field: 'subject', value: 'IMAP break', fuzzy: true },
      { op: 'header', field: 'from', value: 'alice' },
    ],
  });
});

test('FUZZY reaches the string keys inside OR/NOT and leaves other keys alone', () => {
  const s = parseSearchArgs(argsOf('A3 SEARCH FUZZY OR BODY "x y" NOT TEXT z'));
  assert.deepEqual(s.query, {
    op: 'or',
    of: [
      { op: 'body', value: 'x y', fuzzy: true },
      { op: 'not', of: { op: 'text', value: 'z', fuzzy: true } },
    ],
  });
  assert.deepEqual(parseSearchArgs(argsOf('A4 SEARCH FUZZY SEEN')).query, { op: 'flag', flag: '\\Seen', set: true });
  assert.throws(() => parseSearchArgs(argsOf('A5 SEARCH FUZZY')));
});
