/**
 * The MIME indexer (src/mime/index.ts), which runs on every delivered message: for any
 * bytes it returns an index (never throws) that checkIndex (what `letterbox verify`
 * trusts) accepts against those bytes; search text, BODYSTRUCTURE and ENVELOPE encoding
 * of the result never throw either. A delivery copy's index derived by offset from a
 * per-recipient prefix (src/mime/prefix.ts) equals the index of the copy's bytes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { indexMessage } from '../../../src/mime/index.js';
import { indexWithPrefix } from '../../../src/mime/prefix.js';
import { checkIndex } from '../../../src/mime/check.js';
import { searchableText } from '../../../src/mime/text.js';
import { encodeBodyStructure } from '../../../src/imap/wire/bodystructure.js';
import { encodeEnvelope } from '../../../src/imap/wire/envelope.js';
import { encodeToString } from '../../../src/imap/wire/encode.js';
import { defineTarget } from '../harness.js';
import { mutated } from '../mutate.js';

const seeds = ['mime', 'imap'].flatMap((d) => {
  const dir = join(process.cwd(), 'test', 'fixtures', d);
  return readdirSync(dir).map((f) => readFileSync(join(dir, f)));
});

const DICT = [
  '\r\n', '\n', '\r\n\r\n', '--', '--b\r\n', '--b--\r\n', 'Content-Type: multipart/mixed; boundary=b\r\n',
  'Content-Type: message/rfc822\r\n', 'Content-Type: multipart/digest; boundary="x y"\r\n', 'Content-Transfer-Encoding: base64\r\n',
  'Content-Disposition: attachment; filename*=utf-8\'\'%E2%82%AC\r\n', '=?utf-8?b?w6k=?=', '=?x?q?=FF?=', ' \t', ':', ';',
  'boundary=', '"', '\\', '\0', '\xff', 'From: "a" <b@c>, (x) d@e\r\n', 'To: group: a@b, c@d;\r\n', 'Subject: ', '\r\n ',
];

/** a generated MIME tree, so nested multiparts and encapsulated messages are common */
const tree: fc.Arbitrary<string> = fc.letrec<{ msg: string; part: string }>((tie) => ({
  msg: fc
    .tuple(fc.array(fc.constantFrom('From: a@b\r\n', 'Subject: =?utf-8?q?h=C3=A9?=\r\n', 'Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n', 'X: y\r\n  folded\r\n'), { maxLength: 4 }), tie('part'))
    .map(([h, p]) => h.join('') + p),
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 60 }).map((s) => `Content-Type: text/plain; charset=utf-8\r\n\r\n${s}\r\n`),
    fc.tuple(fc.constantFrom('b', 'x', '=_q', ''), fc.array(tie('part'), { maxLength: 4 }), fc.boolean()).map(
      ([b, parts, close]) => `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\npreamble\r\n` + parts.map((p) => `--${b}\r\n${p}`).join('\r\n') + (close ? `\r\n--${b}--\r\nepilogue` : ''),
    ),
    tie('msg').map((m) => `Content-Type: message/rfc822\r\n\r\n${m}`),
  ),
})).msg;

/** per-recipient trace fields as delivery prepends them (and some that are not whole fields) */
const prefix = fc
  .array(fc.constantFrom('Return-Path: <a@b>\r\n', 'Delivered-To: x@y\r\n', 'Received: from a\r\n\tby b; Mon, 1 Jan 2024\r\n', 'X-\u00e9: 8bit\r\n', ' cont\r\n', 'bad line\r\n', 'A: b\n'), { maxLength: 3 })
  .map((l) => Buffer.from(l.join(''), 'utf8'));

export default defineTarget({
  name: 'mime-index',
  input: fc.tuple(mutated(fc.oneof(fc.constantFrom(...seeds), tree.map((s) => Buffer.from(s))), DICT, 8), fc.integer({ min: 0, max: 40 }), prefix),
  check([raw, depth, pre]) {
    const idx = indexMessage(raw, { maxDepth: depth });
    const shifted = indexWithPrefix(idx, raw.length, pre);
    if (shifted) assert.deepEqual(shifted, indexMessage(Buffer.concat([pre, raw]), { maxDepth: depth }), 'prefix index = index of the copy');
    assert.deepEqual(checkIndex(raw, idx), [], 'the index describes the bytes');
    JSON.parse(JSON.stringify(idx));
    searchableText(raw, idx);
    encodeToString(encodeBodyStructure(idx.root, true));
    encodeToString(encodeEnvelope(idx.root.envelope, false));
  },
  quickRuns: 300,
});
