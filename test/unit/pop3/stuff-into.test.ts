/** stuffInto (whole-message dot-stuffing into a given buffer) gives exactly the bytes of the streaming DotStuffer. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DotStuffer, stuffedMax, stuffInto } from '../../../src/pop3/wire/dotstuff.js';

const streaming = (d: Buffer): Buffer => {
  const s = new DotStuffer();
  return Buffer.concat([s.push(d), s.end()]);
};

/** stuffInto into a buffer of exactly stuffedMax bytes, filled with junk first */
const stuffed = (d: Buffer, head = '', noBareLf = false): Buffer => {
  const out = Buffer.alloc(stuffedMax(head, d.length), 0x5a);
  return out.subarray(0, stuffInto(d, out, head, noBareLf));
};

const hasBareLf = (d: Buffer): boolean => d.some((b, i) => b === 0x0a && (i === 0 || d[i - 1] !== 0x0d));

function cases(): Buffer[] {
  const out = [
    '',
    '.',
    '\n',
    '\r\n',
    '\n.',
    '..\r\n',
    '\r\n.\r\n',
    '.\n.\r\n..x\ra\r\r\nb\n',
    'no final newline',
    'ends with CR\r',
    'bare\nlf\n.dot\n',
    'crlf\r\n.dot\r\n\r\n.\r\n.. two\r\nend',
    // all-LF lines longer than one copy run, then every kind of line start
    `${'x'.repeat(300)}\n.${'y'.repeat(70)}\n\n.\n`,
  ].map((s) => Buffer.from(s, 'latin1'));
  out.push(Buffer.from([0xff, 0x0a, 0x2e, 0x80, 0x0d, 0x00]));
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  for (let i = 0; i < 500; i++) out.push(Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, () => [0x0a, 0x0d, 0x2e, 0x41, 0xe9][rnd() % 5]!)));
  // long lines with sparse line ends: blocks of eight without LF, at every alignment
  for (let i = 0; i < 300; i++) out.push(Buffer.from(Array.from({ length: 1 + (rnd() % 300) }, () => (rnd() % 13 === 0 ? ['\n', '\r\n', '\n.', '\r', '.'][rnd() % 5]! : 'abcdefgh'[rnd() % 8]!)).join(''), 'latin1'));
  // CRLF-only soup: what the noBareLf path sees
  for (let i = 0; i < 300; i++) out.push(Buffer.from(Array.from({ length: 1 + (rnd() % 20) }, () => ['\r\n', '.', 'a', '\r', '\xe9'][rnd() % 5]!).join(''), 'latin1'));
  return out;
}

it('matches DotStuffer on edge cases and random byte soup, with and without the no-bare-LF hint', () => {
  for (const c of cases()) {
    const want = streaming(c);
    const what = JSON.stringify(c.toString('latin1'));
    assert.deepEqual(stuffed(c), want, what);
    if (!hasBareLf(c)) assert.deepEqual(stuffed(c, '', true), want, `${what} (noBareLf)`);
  }
  assert.equal(stuffed(Buffer.from('a\n.b')).toString(), 'a\r\n..b\r\n.\r\n');
  // data that is a view at an odd offset into a larger buffer (as a slice of a read would be)
  const backing = Buffer.from(`xyz${'long line of text\n.dot\r\n'.repeat(20)}tail`, 'latin1');
  for (let off = 0; off < 9; off++) {
    const view = backing.subarray(off, backing.length - off);
    assert.deepEqual(stuffed(view), streaming(view), `offset ${off}`);
  }
  assert.equal(stuffed(Buffer.from('.a\r\n.b'), '', true).toString(), '..a\r\n..b\r\n.\r\n');
});

it('stuffInto puts `head` (the status line) before the stuffed bytes, in the same buffer', () => {
  for (const body of ['', '.', 'a\n.b', 'x\r\n..\r\nend', '\xe9\n']) {
    const b = Buffer.from(body, 'latin1');
    assert.deepEqual(stuffed(b, '+OK 5 octets\r\n'), Buffer.concat([Buffer.from('+OK 5 octets\r\n'), stuffed(b)]), JSON.stringify(body));
  }
  assert.equal(stuffed(Buffer.from('.x\n'), '+OK\r\n').toString('latin1'), '+OK\r\n..x\r\n.\r\n');
});

it('stuffedMax is enough for the worst case (every byte an LF, every line a dot)', () => {
  for (const body of ['\n'.repeat(50), '.\n'.repeat(50), '\n.'.repeat(50), '.'.repeat(9)]) {
    const b = Buffer.from(body);
    const out = Buffer.alloc(stuffedMax('+OK\r\n', b.length));
    const n = stuffInto(b, out, '+OK\r\n');
    assert.ok(n <= out.length, `${n} > ${out.length}`);
    assert.deepEqual(out.subarray(0, n), Buffer.concat([Buffer.from('+OK\r\n'), streaming(b)]));
  }
});
