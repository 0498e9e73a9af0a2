import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexMessage } from '../../../src/mime/index.js';
import { binaryBytes, decodeTransfer, resolvePart, sectionBytes } from '../../../src/mime/section.js';
import { fixture, partAt } from './check.js';
import { readdirSync } from 'node:fs';
import { fieldRanges, parseHeaderBlock } from '../../../src/mime/header.js';

const s = (b: Buffer | null): string | null => (b === null ? null : b.toString('latin1'));

describe('section extraction (RFC 9051 §6.4.5)', () => {
  const raw = fixture('forwarded-twice.eml');
  const ix = indexMessage(raw);

  it('whole message, HEADER and TEXT of the top-level message', () => {
    assert.equal(sectionBytes(raw, ix, { path: [] }), raw);
    const header = s(sectionBytes(raw, ix, { path: [], specifier: 'HEADER' }))!;
    assert.ok(header.startsWith('From: Mallory'));
    assert.ok(header.endsWith('boundary="lvl1"\r\n\r\n'));
    const text = s(sectionBytes(raw, ix, { path: [], specifier: 'TEXT' }))!;
    assert.equal(header.length + text.length, raw.length);
    assert.ok(text.startsWith('--lvl1\r\n'));
  });

  it('numbered parts, and sub-parts of message/rfc822 refer to the encapsulated message', () => {
    assert.equal(s(sectionBytes(raw, ix, { path: [1] })), 'See the forwarded mail below.');
    // 2 is the message/rfc822 part: its body is the whole encapsulated message
    const two = s(sectionBytes(raw, ix, { path: [2] }))!;
    assert.ok(two.startsWith('From: Judy') && two.endsWith('--lvl2--'));
    assert.equal(s(sectionBytes(raw, ix, { path: [2, 1] })), 'Judy forwards this.');
    const inner = s(sectionBytes(raw, ix, { path: [2, 2] }))!;
    assert.ok(inner.startsWith('From: Ivan') && inner.endsWith('Innermost body text.'));
    // 2.2 is message/rfc822 whose message is not multipart: 2.2.1 is that message's body
    assert.equal(s(sectionBytes(raw, ix, { path: [2, 2, 1] })), 'Innermost body text.');
    assert.equal(sectionBytes(raw, ix, { path: [2, 2, 2] }), null);
    assert.equal(sectionBytes(raw, ix, { path: [3] }), null);
    assert.equal(sectionBytes(raw, ix, { path: [1, 1] }), null, 'a text part has no sub-parts');
    assert.equal(sectionBytes(raw, ix, { path: [0] }), null);
  });

  it('HEADER/TEXT after a message/rfc822 part number refer to the encapsulated message', () => {
    const h = s(sectionBytes(raw, ix, { path: [2], specifier: 'HEADER' }))!;
    assert.ok(h.startsWith('From: Judy <judy@example.com>\r\n'));
    assert.ok(h.endsWith('boundary="lvl2"\r\n\r\n'));
    const t = s(sectionBytes(raw, ix, { path: [2, 2], specifier: 'TEXT' }));
    assert.equal(t, 'Innermost body text.');
    assert.equal(sectionBytes(raw, ix, { path: [1], specifier: 'HEADER' }), null, 'HEADER of a text part');
    assert.equal(sectionBytes(raw, ix, { path: [1], specifier: 'TEXT' }), null);
  });

  it('MIME is the part’s own header', () => {
    assert.equal(s(sectionBytes(raw, ix, { path: [2], specifier: 'MIME' })), 'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n');
    assert.equal(s(sectionBytes(raw, ix, { path: [2, 1], specifier: 'MIME' })), 'Content-Type: text/plain\r\n\r\n');
    assert.equal(sectionBytes(raw, ix, { path: [], specifier: 'MIME' }), null);
  });

  it('HEADER.FIELDS and HEADER.FIELDS.NOT: case-insensitive, continuation lines kept, blank line at the end', () => {
    const sraw = fixture('simple.eml');
    const six = indexMessage(sraw);
    const got = s(sectionBytes(sraw, six, { path: [], specifier: 'HEADER.FIELDS', fields: ['subject', 'RECEIVED', 'X-Absent'] }));
    assert.equal(
      got,
      'Received: from mx.example.org (mx.example.org [192.0.2.1])\r\n\tby mail.example.com with ESMTPS id 12345\r\n\tfor <bob@example.com>; Mon, 01 Jan 2024 10:00:00 +0000\r\n' +
        'Subject: Hello there\r\n\r\n',
    );
    const not = s(sectionBytes(sraw, six, { path: [], specifier: 'HEADER.FIELDS.NOT', fields: ['Received', 'return-path', 'mime-version', 'content-type', 'content-transfer-encoding', 'message-id', 'date'] }));
    assert.equal(not, 'From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: Hello there\r\n\r\n');
    assert.equal(s(sectionBytes(sraw, six, { path: [], specifier: 'HEADER.FIELDS', fields: ['nothing'] })), '\r\n');
    // on an encapsulated message
    assert.equal(s(sectionBytes(raw, ix, { path: [2, 2], specifier: 'HEADER.FIELDS', fields: ['Subject'] })), 'Subject: Innermost\r\n\r\n');
  });

  it('HEADER.FIELDS with one name list for several messages (as one FETCH does): each gets its own fields', () => {
    const sraw = fixture('simple.eml');
    const six = indexMessage(sraw);
    const fields = ['SUBJECT', 'from'];
    const section = { path: [], specifier: 'HEADER.FIELDS' as const, fields };
    const first = s(sectionBytes(sraw, six, section));
    assert.equal(first, 'From: Alice Example <alice@example.org>\r\nSubject: Hello there\r\n\r\n');
    assert.equal(s(sectionBytes(raw, ix, { path: [2, 2], specifier: 'HEADER.FIELDS', fields })), 'From: Ivan <ivan@example.net>\r\nSubject: Innermost\r\n\r\n');
    assert.equal(s(sectionBytes(sraw, six, section)), first);
    // the same list as NOT, and a list of other names whose lengths differ, on the same message
    const not = s(sectionBytes(sraw, six, { path: [], specifier: 'HEADER.FIELDS.NOT', fields }))!;
    assert.ok(!/^(subject|from):/im.test(not) && not.includes('To: Bob <bob@example.com>\r\n'), not);
    assert.equal(s(sectionBytes(sraw, six, { path: [], specifier: 'HEADER.FIELDS', fields: ['to'] })), 'To: Bob <bob@example.com>\r\n\r\n');
  });

  it('non-multipart message: part 1 is the body; 1.MIME is its header', () => {
    const sraw = fixture('simple.eml');
    const six = indexMessage(sraw);
    assert.equal(resolvePart(six, [1]), six.root);
    assert.equal(s(sectionBytes(sraw, six, { path: [1] })), sraw.subarray(six.root.bodyStart).toString('latin1'));
    assert.equal(sectionBytes(sraw, six, { path: [2] }), null);
    assert.equal(sectionBytes(sraw, six, { path: [1, 1] }), null);
  });

  it('nested multipart parts (n.n.n)', () => {
    const mraw = fixture('mixed-attachments.eml');
    const mix = indexMessage(mraw);
    assert.equal(s(sectionBytes(mraw, mix, { path: [1, 2] })), '<p>Please find the <i>report</i> attached.</p>');
    assert.equal(resolvePart(mix, [1, 2]), partAt(mix, '1.2'));
    assert.equal(resolvePart(mix, [4]), partAt(mix, '4'));
    assert.equal(resolvePart(mix, [5]), null);
  });

  it('BINARY: decodes base64 and quoted-printable, reports unknown encodings and missing parts', () => {
    const mraw = fixture('mixed-attachments.eml');
    const mix = indexMessage(mraw);
    const pdf = binaryBytes(mraw, mix, [2]);
    assert.ok('bytes' in pdf);
    assert.deepEqual(pdf.bytes, Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]));
    const araw = fixture('alternative.eml');
    const aix = indexMessage(araw);
    const qp = binaryBytes(araw, aix, [1]);
    assert.ok('bytes' in qp);
    assert.deepEqual(qp.bytes, Buffer.from('Caf\xe9 menu for today.', 'latin1'));
    assert.deepEqual(binaryBytes(araw, aix, [3]), { error: 'NONEXISTENT' });
    const x = Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n');
    assert.deepEqual(binaryBytes(x, indexMessage(x), [1]), { error: 'UNKNOWN-CTE' });
  });

  it('decodeTransfer', () => {
    assert.equal(decodeTransfer(Buffer.from('aGVsbG8g\r\nd29ybGQ=\r\n'), 'base64')!.toString(), 'hello world');
    assert.equal(decodeTransfer(Buffer.from('a=3Db=\r\nc =\nd=ZZ=4'), 'Quoted-Printable')!.toString('latin1'), 'a=bc d=ZZ=4');
    assert.equal(decodeTransfer(Buffer.from('raw\x80', 'latin1'), '8bit')!.toString('latin1'), 'raw\x80');
    assert.equal(decodeTransfer(Buffer.from('x'), 'binary')!.toString(), 'x');
    assert.equal(decodeTransfer(Buffer.from('x'), 'x-unknown'), null);
    assert.equal(decodeTransfer(Buffer.from('a b  \r\nc\t=\r\nd \t'), 'quoted-printable')!.toString(), 'a b\r\nc\td', 'trailing whitespace is padding');
    assert.equal(decodeTransfer(Buffer.from('eA=='), ' BASE64 (comment)')!.toString(), 'x');
  });
});

describe('header field ranges (HEADER.FIELDS copies them without decoding values)', () => {
  it('are the fields parseHeaderBlock finds, in order, for every fixture and odd header blocks', () => {
    const blocks = readdirSync('test/fixtures/mime')
      .filter((f) => f.endsWith('.eml'))
      .map((f) => fixture(f));
    // continuation after a line that is no field; bare LF; no blank line; a name with WSP before the colon
    blocks.push(Buffer.from('Subject: a\r\n  folded\r\nnot a field\r\n  orphan\r\nX-Y : z\nTo: b\r\n'));
    const sets = [[], ['subject'], ['from', 'to', 'subject', 'date'], ['received', 'x-y', 'content-type', 'nothing-like-it'], ['', 'to']].map((n) => new Set(n));
    for (const raw of blocks) {
      const end = indexMessage(raw).root.bodyStart;
      const fields = parseHeaderBlock(raw, 0, end);
      for (const names of sets) {
        for (const not of [false, true]) {
          assert.deepEqual(
            fieldRanges(raw, 0, end, names, not),
            fields.filter((f) => names.has(f.key) !== not).map((f) => [f.start, f.end]),
          );
        }
      }
    }
    const odd = blocks[blocks.length - 1]!;
    assert.deepEqual(parseHeaderBlock(odd).map((f) => f.key), ['subject', 'x-y', 'to']);
    assert.deepEqual(fieldRanges(odd, 0, odd.length, new Set(['x-y', 'subject']), false).map(([a, b]) => odd.toString('latin1', a, b)), ['Subject: a\r\n  folded\r\n', 'X-Y : z\n']);
  });
});
