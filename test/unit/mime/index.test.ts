import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexMessage } from '../../../src/mime/index.js';
import { checkOffsets, fixture, lines, partAt, slice } from './check.js';

describe('indexMessage: fixtures', () => {
  it('simple text/plain: offsets, envelope, defaults', () => {
    const raw = fixture('simple.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    const r = ix.root;
    assert.equal(r.headerStart, 0);
    const blank = raw.indexOf('\r\n\r\n');
    assert.equal(r.bodyStart, blank + 4);
    assert.equal(r.bodyEnd, raw.length);
    assert.equal(slice(raw, r.bodyStart, r.bodyEnd), 'Hi Bob,\r\n\r\nthis is a simple message.\r\n-- \r\nAlice\r\n');
    assert.equal(r.bodyLines, 5);
    assert.equal(r.type, 'text');
    assert.equal(r.subtype, 'plain');
    assert.deepEqual(r.params, [['charset', 'utf-8']]);
    assert.equal(r.encoding, '7BIT');
    assert.equal(r.parts, undefined);
    const env = r.envelope!;
    assert.equal(env.subject, 'Hello there');
    assert.equal(env.date, 'Mon, 01 Jan 2024 10:00:00 +0000');
    assert.equal(env.messageId, '<simple-1@example.org>');
    assert.deepEqual(env.from, [{ name: 'Alice Example', adl: null, mailbox: 'alice', host: 'example.org' }]);
    assert.deepEqual(env.sender, env.from);
    assert.deepEqual(env.replyTo, env.from);
    assert.deepEqual(env.to, [{ name: 'Bob', adl: null, mailbox: 'bob', host: 'example.com' }]);
    assert.equal(env.cc, null);
    assert.equal(env.bcc, null);
    assert.equal(env.inReplyTo, null);
    assert.equal(ix.bareLf, 0);
    assert.equal(ix.has8bit, false);
    assert.deepEqual(ix.problems, []);
  });

  it('multipart/alternative: preamble, transport padding, epilogue, encodings', () => {
    const raw = fixture('alternative.eml');
    const ix = indexMessage(raw);
    assert.equal(checkOffsets(raw, ix), 3);
    const r = ix.root;
    assert.equal(r.type, 'multipart');
    assert.equal(r.subtype, 'alternative');
    assert.deepEqual(r.params, [['boundary', '=_alt_boundary']]);
    assert.ok(slice(raw, r.bodyStart, r.bodyEnd).startsWith('This is the preamble.'));
    assert.ok(slice(raw, r.bodyStart, r.bodyEnd).endsWith('--=_alt_boundary--\r\nThis is the epilogue.\r\n'));
    const [a, b] = r.parts!;
    assert.equal(slice(raw, a!.bodyStart, a!.bodyEnd), 'Caf=E9 menu for to=\r\nday.');
    assert.equal(a!.encoding, 'QUOTED-PRINTABLE');
    assert.deepEqual(a!.params, [['charset', 'ISO-8859-1']]);
    assert.equal(a!.bodyLines, 1);
    assert.equal(b!.subtype, 'html');
    assert.equal(b!.encoding, 'BASE64');
    // the delimiter line before part 2 carries transport padding (space, tab)
    assert.ok(slice(raw, 0, b!.headerStart).endsWith('\r\n--=_alt_boundary \t\r\n'));
    assert.equal(r.envelope!.subject, 'Re: café menu');
    assert.equal(r.envelope!.from![0]!.name, 'Carol, the Reviewer');
    assert.equal(r.envelope!.inReplyTo, '<orig@example.com>');
    assert.deepEqual(ix.problems, []);
  });

  it('nested multipart/mixed with attachments: all Content-* fields', () => {
    const raw = fixture('mixed-attachments.eml');
    const ix = indexMessage(raw);
    assert.equal(checkOffsets(raw, ix), 7);
    const alt = partAt(ix, '1');
    assert.equal(alt.subtype, 'alternative');
    assert.equal(alt.parts!.length, 2);
    assert.equal(slice(raw, partAt(ix, '1.1').bodyStart, partAt(ix, '1.1').bodyEnd), 'Please find the report attached.');
    // the inner multipart's body ends before the CRLF that precedes "--outer" (includes its close-delimiter and epilogue)
    assert.ok(slice(raw, alt.bodyStart, alt.bodyEnd).endsWith('--inner--\r\n'));
    const pdf = partAt(ix, '2');
    assert.equal(`${pdf.type}/${pdf.subtype}`, 'application/pdf');
    assert.deepEqual(pdf.params, [['name', 'report.pdf']]);
    assert.deepEqual(pdf.disposition, { type: 'attachment', params: [['filename', 'report.pdf'], ['size', '512']] });
    assert.equal(pdf.description, 'Quarterly report');
    assert.equal(Buffer.from(slice(raw, pdf.bodyStart, pdf.bodyEnd), 'base64').length, 512);
    const png = partAt(ix, '3');
    assert.equal(png.id, '<logo@example.org>');
    assert.deepEqual(png.disposition, { type: 'inline', params: [] });
    assert.deepEqual(png.language, ['en', 'de']);
    assert.equal(png.location, 'http://example.org/logo.png');
    assert.equal(png.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
    assert.deepEqual(png.params, []);
    const notes = partAt(ix, '4');
    assert.equal(slice(raw, notes.bodyStart, notes.bodyEnd), 'Attached notes: searchable attachment words.');
    assert.deepEqual(ix.root.envelope!.to, [
      { name: 'Frank', adl: null, mailbox: 'frank', host: 'example.com' },
      { name: 'Grace Q. Public', adl: null, mailbox: 'grace', host: 'example.com' },
    ]);
    assert.deepEqual(ix.problems, []);
  });

  it('message/rfc822 forwarded twice: encapsulation and envelopes', () => {
    const raw = fixture('forwarded-twice.eml');
    const ix = indexMessage(raw);
    assert.equal(checkOffsets(raw, ix), 7);
    const fwd = partAt(ix, '2');
    assert.equal(`${fwd.type}/${fwd.subtype}`, 'message/rfc822');
    assert.deepEqual(fwd.params, []);
    assert.equal(fwd.bodyLines, lines(raw.subarray(fwd.bodyStart, fwd.bodyEnd)));
    const m1 = fwd.message!;
    assert.equal(m1.envelope!.subject, 'Fwd: Innermost');
    assert.equal(m1.subtype, 'mixed');
    assert.ok(slice(raw, m1.headerStart, m1.bodyStart).startsWith('From: Judy'));
    const m2 = partAt(ix, '2.m.2.m');
    assert.equal(m2.envelope!.subject, 'Innermost');
    assert.equal(m2.envelope!.messageId, '<inner2@example.net>');
    assert.equal(slice(raw, m2.bodyStart, m2.bodyEnd), 'Innermost body text.');
    assert.deepEqual(m2.params, [['charset', 'us-ascii']]);
    // the inner message ends before the CRLF preceding "--lvl2--"
    assert.ok(slice(raw, m2.bodyEnd, raw.length).startsWith('\r\n--lvl2--\r\n--lvl1--'));
    assert.deepEqual(ix.problems, []);
  });

  it('multipart/digest: parts default to message/rfc822', () => {
    const raw = fixture('digest.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    const [p1, p2, p3] = ix.root.parts!;
    assert.equal(`${p1!.type}/${p1!.subtype}`, 'message/rfc822');
    assert.equal(`${p2!.type}/${p2!.subtype}`, 'message/rfc822');
    assert.equal(`${p3!.type}/${p3!.subtype}`, 'text/plain');
    // a digest part with an empty header: header is just the blank line
    assert.equal(slice(raw, p1!.headerStart, p1!.bodyStart), '\r\n');
    assert.equal(p1!.message!.envelope!.subject, 'First digest entry');
    assert.equal(p1!.message!.type, 'text', 'inside the encapsulated message the default is text/plain again');
    assert.equal(slice(raw, p1!.message!.bodyStart, p1!.message!.bodyEnd), 'First entry body.');
    assert.equal(p2!.message!.envelope!.from![0]!.mailbox, 'sybil');
    assert.deepEqual(ix.problems, []);
  });

  it('broken boundaries: boundary-like text is body, missing close-delimiter is reported', () => {
    const raw = fixture('broken-boundaries.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix, { allowTruncated: true });
    assert.equal(ix.root.parts!.length, 2);
    const t1 = slice(raw, ix.root.parts![0]!.bodyStart, ix.root.parts![0]!.bodyEnd);
    assert.ok(t1.includes('--frontier is not a delimiter'));
    assert.ok(t1.includes('--frontierX neither'));
    assert.ok(t1.endsWith('(not at line start)'));
    assert.equal(ix.root.parts![1]!.bodyEnd, raw.length);
    assert.equal(ix.root.bodyEnd, raw.length);
    assert.equal(ix.problems.length, 1);
    assert.match(ix.problems[0]!, /close-delimiter/);
  });

  it('truncated in the header', () => {
    const raw = fixture('truncated-header.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix, { allowOpenHeader: true });
    assert.equal(ix.root.bodyStart, raw.length);
    assert.equal(ix.root.bodyEnd, raw.length);
    assert.equal(ix.root.bodyLines, 0);
    assert.equal(ix.root.envelope!.subject, 'This message was cut in the hea');
    assert.match(ix.problems.join(), /blank line/);
  });

  it('truncated in the middle of a part', () => {
    const raw = fixture('truncated-part.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix, { allowTruncated: true });
    const p2 = partAt(ix, '2');
    assert.equal(p2.encoding, 'BASE64');
    assert.equal(p2.bodyEnd, raw.length);
    assert.ok(slice(raw, p2.bodyStart, p2.bodyEnd).startsWith('AAECAwQF'));
    assert.equal(slice(raw, partAt(ix, '1').bodyStart, partAt(ix, '1').bodyEnd), 'Complete first part.');
    assert.match(ix.problems.join(), /close-delimiter/);
  });

  it('8-bit UTF-8 headers are decoded as UTF-8', () => {
    const raw = fixture('8bit-utf8-headers.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.has8bit, true);
    assert.equal(ix.root.envelope!.subject, 'Grüße aus Köln – ✓');
    assert.equal(ix.root.envelope!.from![0]!.name, 'Zoë Ünicode');
    assert.equal(ix.root.envelope!.to![0]!.name, 'Łukasz');
  });

  it('8-bit latin1 headers (invalid UTF-8) are decoded as latin1', () => {
    const raw = fixture('8bit-latin1-headers.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.has8bit, true);
    assert.equal(ix.root.envelope!.subject, 'Café crème');
    assert.equal(ix.root.envelope!.from![0]!.name, 'José García');
  });

  it('bare LF message: offsets and bareLf count', () => {
    const raw = fixture('bare-lf.eml');
    assert.equal(raw.indexOf('\r'), -1);
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.bareLf, raw.toString('latin1').split('\n').length - 1);
    assert.equal(slice(raw, 0, ix.root.bodyStart).slice(-2), '\n\n');
    assert.equal(slice(raw, partAt(ix, '1').bodyStart, partAt(ix, '1').bodyEnd), 'Line one\nLine two');
    assert.equal(partAt(ix, '1').bodyLines, 1);
    assert.equal(slice(raw, partAt(ix, '2').bodyStart, partAt(ix, '2').bodyEnd), 'caf=C3=A9');
    assert.deepEqual(ix.problems, []);
  });

  it('mixed CRLF and LF line endings', () => {
    const raw = Buffer.from('Subject: mixed\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\nContent-Type: text/plain\r\n\nA\r\nB\n--m\r\n\r\nC\n--m--\n');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.bareLf, 6);
    assert.equal(slice(raw, partAt(ix, '1').bodyStart, partAt(ix, '1').bodyEnd), 'A\r\nB');
    assert.equal(slice(raw, partAt(ix, '2').bodyStart, partAt(ix, '2').bodyEnd), 'C');
    assert.deepEqual(ix.problems, []);
  });

  it('RFC 2231 continuations, charsets and RFC 2047 in parameters', () => {
    const raw = fixture('rfc2231.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    const p2 = partAt(ix, '2');
    assert.deepEqual(p2.params, [['name', 'Grüße aus Köln.bin']]);
    assert.deepEqual(p2.disposition, { type: 'attachment', params: [['filename', 'Grüße aus Köln.bin']] });
    const p3 = partAt(ix, '3');
    assert.deepEqual(p3.params, [['charset', 'us-ascii'], ['format', 'flowed']], 'comment dropped');
    assert.deepEqual(p3.disposition!.params, [['filename', 'café.txt']]);
    assert.deepEqual(p3.language, ['fr']);
    const p4 = partAt(ix, '4');
    assert.deepEqual(p4.params, [['name', 'résumé.pdf']]);
    assert.equal(p4.disposition!.params[0]![1], 'résumé.pdf');
  });

  it('RFC 2047 words in several charsets (ISO-8859-1, UTF-8 B/Q, windows-1252, ISO-2022-JP)', () => {
    const raw = fixture('rfc2047-names.eml');
    const env = indexMessage(raw).root.envelope!;
    assert.equal(env.subject, 'café naïve “quoted”');
    assert.equal(env.from![0]!.name, 'André Pirard');
    assert.equal(env.sender![0]!.name, '€ Treasurer');
    assert.equal(env.replyTo![0]!.name, 'François');
    assert.equal(env.to![0]!.name, '日本語');
    assert.equal(env.to![1]!.name, 'Árvíztűrő');
    assert.equal(env.to![1]!.host, 'example.hu');
  });

  it('RFC 2047 subjects: UTF-8 B split inside a character, ISO-2022-JP, windows-1252, KOI8-R and malformed words', () => {
    const subj = (f: string) => indexMessage(fixture(f)).root.envelope!;
    assert.equal(subj('subject-utf8-b.eml').subject, 'Prüfung € 100');
    assert.equal(subj('subject-iso-2022-jp.eml').subject, 'こんにちは');
    assert.equal(subj('subject-iso-2022-jp.eml').from![0]!.name, '佐藤');
    assert.equal(subj('subject-windows-1252.eml').subject, 'Preis: 100 € – „günstig“');
    assert.equal(subj('subject-koi8r-malformed.eml').subject, 'Привет plain odd =?broken');
  });

  it('group syntax, comments, quoted names with commas, source routes', () => {
    const env = indexMessage(fixture('groups.eml')).root.envelope!;
    assert.deepEqual(env.from, [{ name: 'Doe, John (Sales)', adl: null, mailbox: 'john.doe', host: 'example.com' }]);
    assert.deepEqual(env.to, [
      { name: null, adl: null, mailbox: 'Team', host: null },
      { name: null, adl: null, mailbox: 'alice', host: 'example.org' },
      { name: 'Bob B.', adl: null, mailbox: 'bob', host: 'example.org' },
      { name: null, adl: null, mailbox: null, host: null },
      { name: 'Carol C', adl: null, mailbox: 'carol', host: 'example.net' },
    ]);
    assert.deepEqual(env.cc, [
      { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, adl: null, mailbox: null, host: null },
    ]);
    assert.deepEqual(env.bcc, [{ name: null, adl: '@relay1.example,@relay2.example', mailbox: 'routed', host: 'example.net' }]);
  });

  it('missing headers: defaults and NIL envelope fields', () => {
    const raw = fixture('missing-headers.eml');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    const r = ix.root;
    assert.equal(`${r.type}/${r.subtype}`, 'text/plain');
    assert.deepEqual(r.params, [['charset', 'us-ascii']]);
    assert.equal(r.encoding, '7BIT');
    assert.equal(r.disposition, null);
    assert.equal(r.language, null);
    assert.deepEqual(r.envelope, { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null });
  });
});
