/** Quoted-printable decoding (RFC 2045 §6.7) against a byte-at-a-time reference, on fixed and random inputs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQuotedPrintable, decodeTransfer } from '../../../src/mime/transfer.js';

/** the rules one byte at a time, as the decoder was written before it copied runs */
function reference(body: Buffer): Buffer {
  const hex = (c: number | undefined) => (c === undefined ? -1 : '0123456789abcdef'.indexOf(String.fromCharCode(c).toLowerCase()));
  const out: number[] = [];
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === 32 || c === 9) {
      let j = i + 1;
      while (j < n && (body[j] === 32 || body[j] === 9)) j++;
      // a whitespace run at the end of an encoded line (or of the body) is dropped
      if (j >= n || body[j] === 10 || (body[j] === 13 && body[j + 1] === 10)) {
        i = j - 1;
        continue;
      }
      for (; i < j; i++) out.push(body[i]!);
      i = j - 1;
      continue;
    }
    if (c !== 61) {
      out.push(c);
      continue;
    }
    const a = hex(body[i + 1]);
    const b = hex(body[i + 2]);
    if (a >= 0 && b >= 0) {
      out.push(a * 16 + b);
      i += 2;
      continue;
    }
    let j = i + 1;
    while (body[j] === 32 || body[j] === 9) j++;
    if (body[j] === 13 && body[j + 1] === 10) i = j + 1;
    else if (body[j] === 10 || j >= n) i = j;
    else out.push(c);
  }
  return Buffer.from(out);
}

describe('quoted-printable', () => {
  it('decodes escapes, soft breaks and drops line-end padding, keeping what is not an escape', () => {
    const cases: Array<[string, string]> = [
      ['caf=C3=A9 na=c3=afve', 'café naïve'],
      ['soft =\r\nbreak and =  \r\nspaced =\nLF-only', 'soft break and spaced LF-only'],
      ['padding   \r\nkept  inside\t\r\nend \t ', 'padding\r\nkept  inside\r\nend'],
      ['=20 at the end=20\r\n', '  at the end \r\n'],
      ['bad =ZZ =4 =\rx =', 'bad =ZZ =4 =\rx '],
      ['lone \rCR  \n', 'lone \rCR\n'],
      ['', ''],
    ];
    for (const [enc, dec] of cases) {
      assert.equal(decodeQuotedPrintable(Buffer.from(enc, 'latin1')).toString('utf8'), dec, JSON.stringify(enc));
      assert.deepEqual(decodeQuotedPrintable(Buffer.from(enc, 'latin1')), reference(Buffer.from(enc, 'latin1')), JSON.stringify(enc));
    }
    assert.equal(decodeTransfer(Buffer.from('a=3Db'), 'Quoted-Printable')!.toString(), 'a=b');
  });

  it('gives the reference bytes for random inputs of the characters that matter, short and long runs', () => {
    const alphabet = ['a', 'b', ' ', '\t', '=', '\r', '\n', '4', 'F', 'x', '=4', '=C3', '=\r\n', ' \r\n', 'long text without anything special in it, '];
    let seed = 12345;
    const rand = (m: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % m;
    };
    for (let k = 0; k < 5000; k++) {
      const parts: string[] = [];
      const len = rand(60);
      for (let p = 0; p < len; p++) parts.push(alphabet[rand(alphabet.length)]!);
      const body = Buffer.from(parts.join(''), 'latin1');
      assert.deepEqual(decodeQuotedPrintable(body), reference(body), JSON.stringify(parts.join('')));
    }
  });
});
