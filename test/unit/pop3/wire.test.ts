import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DotStuffer, stuffChunks } from '../../../src/pop3/wire/dotstuff.js';
import { LineSplitter, parseCommandLine } from '../../../src/pop3/wire/lines.js';
import { multiline, err, ok } from '../../../src/pop3/wire/response.js';
import { headerEnd, topSlice } from '../../../src/pop3/wire/top.js';

const stuff = (s: string, chunk = 64 * 1024): string =>
  Buffer.concat([...stuffChunks(Buffer.from(s, 'latin1'), chunk)]).toString('latin1');

/** reverse of stuffing: what a client reconstructs (lines, dots removed) */
function unstuff(wire: string): string {
  assert.ok(wire.endsWith('\r\n.\r\n') || wire === '.\r\n', 'terminator');
  const body = wire === '.\r\n' ? '' : wire.slice(0, -3);
  return body
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? l.slice(1) : l))
    .join('\r\n');
}

test('dot-stuffing: leading dots, CRLF kept, terminator', () => {
  assert.equal(stuff('a\r\n.b\r\n..c\r\n.\r\n'), 'a\r\n..b\r\n...c\r\n..\r\n.\r\n');
  assert.equal(stuff('.'), '..\r\n.\r\n');
  assert.equal(stuff(''), '.\r\n');
});

test('dot-stuffing: bare LF becomes CRLF, missing final CRLF is added before the terminator', () => {
  assert.equal(stuff('a\nb\n.c'), 'a\r\nb\r\n..c\r\n.\r\n');
  assert.equal(stuff('\n\n'), '\r\n\r\n.\r\n');
  assert.equal(stuff('a\rb\r\n'), 'a\rb\r\n.\r\n'); // lone CR unchanged
});

test('dot-stuffing: output size equals raw + bare LF count, for every chunk size', () => {
  const msg = 'Subject: x\n\n.line1\r\n..\n.\r\nend\r\r\n\n.x';
  const bareLf = [...msg].filter((c, i) => c === '\n' && msg[i - 1] !== '\r').length;
  const expected = stuff(msg);
  for (let size = 1; size <= msg.length + 1; size++) {
    const got = stuff(msg, size);
    assert.equal(got, expected, `chunk size ${size}`);
  }
  // unstuffed content = CRLF-normalised message (+ CRLF added since it lacks a final line end)
  const normalised = msg.replace(/\r?\n/g, '\r\n');
  assert.equal(unstuff(expected), normalised + '\r\n');
  assert.equal(normalised.length, msg.length + bareLf);
});

test('dot-stuffing: CR at the end of one chunk and LF at the start of the next is one CRLF', () => {
  const s = new DotStuffer();
  const out = Buffer.concat([s.push(Buffer.from('a\r')), s.push(Buffer.from('\n.b\r\n')), s.end()]).toString();
  assert.equal(out, 'a\r\n..b\r\n.\r\n');
});

test('line splitter: CRLF and LF, chunked, over-long lines reported once and skipped', () => {
  const sp = new LineSplitter(10);
  assert.deepEqual(sp.push(Buffer.from('US')), []);
  assert.deepEqual(sp.push(Buffer.from('ER a\r\nNOOP\nST')), [
    { kind: 'line', line: 'USER a' },
    { kind: 'line', line: 'NOOP' },
  ]);
  assert.deepEqual(sp.push(Buffer.from('AT\r\n')), [{ kind: 'line', line: 'STAT' }]);
  assert.deepEqual(sp.push(Buffer.from('x'.repeat(11))), [{ kind: 'too-long' }]);
  assert.deepEqual(sp.push(Buffer.from('yyyy\r\nQUIT\r\n')), [{ kind: 'line', line: 'QUIT' }]);
  assert.deepEqual(sp.push(Buffer.from('x'.repeat(12) + '\r\nNOOP\r\n')), [{ kind: 'too-long' }, { kind: 'line', line: 'NOOP' }]);
});

test('command parsing: keyword case-insensitive, PASS keeps spaces', () => {
  assert.deepEqual(parseCommandLine('list 2'), { keyword: 'LIST', rest: '2', args: ['2'] });
  assert.deepEqual(parseCommandLine('PASS my secret '), { keyword: 'PASS', rest: 'my secret ', args: ['my', 'secret'] });
  assert.deepEqual(parseCommandLine('QUIT'), { keyword: 'QUIT', rest: '', args: [] });
});

test('responses: status, codes, multi-line stuffing', () => {
  assert.equal(ok('hi'), '+OK hi\r\n');
  assert.equal(ok(), '+OK\r\n');
  assert.equal(err('locked', 'IN-USE'), '-ERR [IN-USE] locked\r\n');
  assert.equal(err('a\r\nb'), '-ERR a b\r\n');
  assert.equal(multiline('list', ['1 2', '.x']), '+OK list\r\n1 2\r\n..x\r\n.\r\n');
});

test('TOP slicing: n = 0, 1, more than the body, no body, empty header, bare LF', () => {
  const m = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3');
  assert.equal(topSlice(m, 0).toString(), 'A: 1\r\nB: 2\r\n\r\n');
  assert.equal(topSlice(m, 1).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\n');
  assert.equal(topSlice(m, 3).toString(), m.toString());
  assert.equal(topSlice(m, 1e9).toString(), m.toString());
  assert.equal(topSlice(Buffer.from('A: 1\r\nB: 2'), 0).toString(), 'A: 1\r\nB: 2');
  assert.equal(topSlice(Buffer.from('\r\nbody\r\n'), 0).toString(), '\r\n');
  assert.equal(topSlice(Buffer.from('A: 1\n\nx\ny\n'), 1).toString(), 'A: 1\n\nx\n');
  assert.equal(headerEnd(Buffer.from('A: 1\r\n\r\n')), 8);
});
