/** RFC 8970 PREVIEW text as stored at delivery (../../../src/store/sort-keys.ts computePreview). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { indexMessage } from '../../../src/mime/index.js';
import { partText } from '../../../src/mime/text.js';
import { computePreview, PREVIEW_MAX } from '../../../src/store/sort-keys.js';

/** the rule as written: whitespace runs collapsed to one space, trimmed, cut at PREVIEW_MAX code points */
function reference(text: string): string {
  return Array.from(text.replace(/\s+/gu, ' ').trim()).slice(0, PREVIEW_MAX).join('');
}

const message = (body: string) => Buffer.from(`Subject: p\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`);

it('the preview is the collapsed, trimmed text cut at 256 code points, also when whitespace runs and astral characters straddle where the text is cut', () => {
  // deterministic pseudo-random bodies: words, long whitespace runs, emoji (two UTF-16 units)
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pieces = ['word', 'x', '😀', 'é', ' ', '  ', '\t', '\r\n', ' '.repeat(300), '\r\n'.repeat(200), '😀'.repeat(100)];
  const cases = ['', '   ', 'short text', ' lead and trail  ', 'a'.repeat(300), ' '.repeat(2000) + 'late', '😀'.repeat(600)];
  for (let i = 0; i < 300; i++) cases.push(Array.from({ length: rnd(200) }, () => pieces[rnd(pieces.length)]).join(''));
  for (const body of cases) {
    const raw = message(body);
    const index = indexMessage(raw);
    // the decoded text as far as the preview reads it (a few KB)
    const text = partText(raw, index.root, 4 * PREVIEW_MAX);
    assert.equal(computePreview(raw, index), reference(text), JSON.stringify(body.slice(0, 80)));
  }
});

it('the preview and search text share the decoding of a part: the same preview as decoding it alone, for small and large parts', async () => {
  const { searchableText } = await import('../../../src/mime/text.js');
  const qp = (body: string) =>
    Buffer.from(`Subject: p\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}`);
  const bodies = ['<p>caf=C3=A9  =\r\nau lait</p>', `<div>${'word =3D '.repeat(40)}</div>`, `<p>${'long line of text '.repeat(2000)}</p>`, '   \r\n'.repeat(5000) + 'late'];
  for (const raw of bodies.map(qp)) {
    const index = indexMessage(raw);
    const decoded = new Map();
    const text = searchableText(raw, index, decoded);
    assert.ok(text.body.length > 0);
    // the small parts are kept whole; a part larger than the preview reads is decoded again by it
    assert.equal(computePreview(raw, index, decoded), computePreview(raw, index));
  }
});
