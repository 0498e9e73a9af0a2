/** stuffAll (whole-message dot-stuffing) gives exactly the bytes of the streaming DotStuffer. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DotStuffer, stuffAll } from '../../../src/pop3/wire/dotstuff.js';

const streaming = (d: Buffer): Buffer => {
  const s = new DotStuffer();
  return Buffer.concat([s.push(d), s.end()]);
};

it('matches DotStuffer on edge cases and random byte soup', () => {
  const cases = [
    '',
    '.',
    '\n',
    '\r\n.\r\n',
    '.\n.\r\n..x\ra\r\r\nb\n',
    'no final newline',
    'ends with CR\r',
    'bare\nlf\n.dot\n',
  ].map((s) => Buffer.from(s, 'latin1'));
  cases.push(Buffer.from([0xff, 0x0a, 0x2e, 0x80, 0x0d, 0x00]));
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  for (let i = 0; i < 500; i++) cases.push(Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, () => [0x0a, 0x0d, 0x2e, 0x41, 0xe9][rnd() % 5]!)));
  for (const c of cases) assert.deepEqual(stuffAll(c), streaming(c), JSON.stringify(c.toString('latin1')));
  assert.equal(stuffAll(Buffer.from('a\n.b')).toString(), 'a\r\n..b\r\n.\r\n');
});

it('stuffAll puts `head` (the status line) before the stuffed bytes, in the same buffer', () => {
  for (const body of ['', '.', 'a\n.b', 'x\r\n..\r\nend', '\xe9\n']) {
    const b = Buffer.from(body, 'latin1');
    assert.deepEqual(stuffAll(b, '+OK 5 octets\r\n'), Buffer.concat([Buffer.from('+OK 5 octets\r\n'), stuffAll(b)]), JSON.stringify(body));
  }
  assert.equal(stuffAll(Buffer.from('.x\n'), '+OK\r\n').toString('latin1'), '+OK\r\n..x\r\n.\r\n');
});
