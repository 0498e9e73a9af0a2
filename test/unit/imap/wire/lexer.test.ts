import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeText, WireError, isAtom, tokenText, describeToken } from '../../../../src/imap/wire/index.js';

test('atoms may contain "[" and "]" unless they start a fetch section (ASTRING-CHAR, RFC 9051 §9)', () => {
  assert.deepEqual(tokenizeText('foo[bar] x]y ~peter/mail %a* \\Seen 1:*,$'), [
    { type: 'atom', value: 'foo[bar]' },
    { type: 'atom', value: 'x]y' },
    { type: 'atom', value: '~peter/mail' },
    { type: 'atom', value: '%a*' },
    { type: 'atom', value: '\\Seen' },
    { type: 'atom', value: '1:*,$' },
  ]);
});

test('section tokens: case-insensitive names, nested list, partial with and without length', () => {
  const [a, b, c] = tokenizeText('body.peek[1.HEADER.FIELDS (a "b c")]<5.10> BINARY.SIZE[] BODY[TEXT]<7>');
  assert.deepEqual(a, {
    type: 'section',
    name: 'BODY.PEEK',
    section: [
      { type: 'atom', value: '1.HEADER.FIELDS' },
      {
        type: 'list',
        items: [
          { type: 'atom', value: 'a' },
          { type: 'quoted', value: 'b c' },
        ],
      },
    ],
    partial: { offset: 5, length: 10 },
  });
  assert.deepEqual(b, { type: 'section', name: 'BINARY.SIZE', section: [], partial: null });
  assert.deepEqual(c, { type: 'section', name: 'BODY', section: [{ type: 'atom', value: 'TEXT' }], partial: { offset: 7, length: null } });
});

test('quoted strings: escapes, UTF-8, empty', () => {
  assert.deepEqual(tokenizeText('"" "a\\"b" "c\\\\d" "日本"'), [
    { type: 'quoted', value: '' },
    { type: 'quoted', value: 'a"b' },
    { type: 'quoted', value: 'c\\d' },
    { type: 'quoted', value: '日本' },
  ]);
});

test('syntax errors', () => {
  for (const bad of ['(a', 'a)', '"abc', '"a\\nb"', 'a"b"', '(a)(b)', 'BODY[1', 'BODY[]<1.x>', 'a  b', ' a', 'a {3}', 'BODY[]x', '\u0001']) {
    assert.throws(() => tokenizeText(bad), WireError, JSON.stringify(bad));
  }
});

test('token helpers', () => {
  const [a, q, l] = tokenizeText('nil "x" (y)');
  assert.equal(isAtom(a, 'NIL'), true);
  assert.equal(isAtom(q), false);
  assert.equal(tokenText(q), 'x');
  assert.equal(tokenText(l), undefined);
  assert.equal(describeToken(undefined), 'end of command');
  assert.equal(describeToken(l), 'a parenthesized list');
});
