import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBinaryParts } from '../../../src/mime/encode-binary.js';
import { indexMessage } from '../../../src/mime/index.js';
import { binaryBytes } from '../../../src/mime/section.js';

const b = (s: string) => Buffer.from(s, 'latin1');

test('a message without binary parts is returned as is (same buffer)', () => {
  const raw = b('Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9\r\n');
  assert.equal(encodeBinaryParts(raw), raw);
});

test('a binary single-part message becomes base64; BINARY gives the original body back', () => {
  const raw = b('From: a@b\r\nContent-Transfer-Encoding: binary\r\n\r\nhello\0world\r\n');
  const out = encodeBinaryParts(raw);
  assert.equal(out.toString('latin1'), 'From: a@b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8Ad29ybGQNCg==');
  const ix = indexMessage(out);
  assert.equal(ix.root.encoding, 'BASE64');
  const r = binaryBytes(out, ix, [1]);
  assert.ok('bytes' in r && r.bytes.equals(b('hello\0world\r\n')));
});

test('only the binary leaves of a multipart change; the rest stays byte-exact', () => {
  const raw = b(
    'Content-Type: multipart/mixed; boundary=q\r\n\r\npre\r\n--q\r\nContent-Type: text/plain\r\n\r\nkeep me\r\n' +
      '--q\r\nContent-Type: application/octet-stream\r\nContent-transfer-encoding:\r\n BINARY\r\n\r\nA\0B\r\n' +
      '--q\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\0y\r\n--q--\r\nepi\r\n',
  );
  const out = encodeBinaryParts(raw).toString('latin1');
  assert.ok(out.startsWith('Content-Type: multipart/mixed; boundary=q\r\n\r\npre\r\n--q\r\nContent-Type: text/plain\r\n\r\nkeep me\r\n--q\r\n'));
  assert.ok(out.includes('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nQQBC\r\n--q\r\n'), out);
  // a NUL inside an encapsulated message's body (no CTE) is encoded in the inner message
  assert.ok(out.includes('Content-Transfer-Encoding: base64\r\nSubject: in\r\n\r\neAB5\r\n--q--\r\nepi\r\n'), out);
  assert.ok(!out.includes('\0'));
  const ix = indexMessage(Buffer.from(out, 'latin1'));
  assert.equal(ix.root.parts!.length, 3);
});
