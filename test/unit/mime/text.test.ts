import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexMessage } from '../../../src/mime/index.js';
import { headerValue, headerValues, parseHeaders, searchableText, stripHtml, TEXT_CAP } from '../../../src/mime/text.js';
import { fixture, partAt } from './check.js';

describe('searchableText', () => {
  it('decodes QP/base64 bodies and charsets, strips HTML (and scripts)', () => {
    const raw = fixture('alternative.eml');
    const t = searchableText(raw, indexMessage(raw));
    assert.ok(t.body.includes('Café menu for today.'), t.body);
    assert.ok(t.body.includes('Café'));
    assert.ok(t.body.includes('menu'));
    assert.ok(t.body.includes('today & tomorrow'));
    assert.ok(!t.body.includes('<b>'));
    assert.ok(!t.body.includes('hidden'), 'script content dropped');
    assert.ok(!t.body.includes('preamble'), 'preamble is not text');
    assert.ok(t.header.includes('Subject: Re: café menu'));
    assert.ok(t.header.includes('From: "Carol, the Reviewer" <carol@example.net>'));
  });

  it('skips non-text attachments, keeps text attachments', () => {
    const raw = fixture('mixed-attachments.eml');
    const t = searchableText(raw, indexMessage(raw));
    assert.ok(t.body.includes('Please find the report attached.'));
    assert.ok(t.body.includes('searchable attachment words'));
    assert.ok(!t.body.includes('AAECAwQF'), 'base64 pdf skipped');
    assert.ok(!t.body.includes('iVBOR'), 'png skipped');
  });

  it('includes the header and text of encapsulated messages in the body text', () => {
    const raw = fixture('forwarded-twice.eml');
    const t = searchableText(raw, indexMessage(raw));
    assert.ok(t.body.includes('Innermost body text.'));
    assert.ok(t.body.includes('Subject: Fwd: Innermost'));
    assert.ok(!t.header.includes('Innermost body'), 'header is only the top-level header');
  });

  it('unfolds header lines and decodes RFC 2047 words; latin1 bodies become UTF-8', () => {
    const raw = fixture('rfc2047-names.eml');
    const t = searchableText(raw, indexMessage(raw));
    assert.ok(t.header.includes('Subject: café naïve “quoted”'));
    assert.ok(t.header.includes('From: André Pirard <pirard@example.be>'));
    assert.ok(!t.header.includes('\r'));
    const l = fixture('8bit-latin1-headers.eml');
    const lt = searchableText(l, indexMessage(l));
    assert.ok(lt.body.includes("Un café crème, s'il vous plaît."));
    assert.ok(lt.header.includes('Subject: Café crème'));
  });

  it('bare-LF quoted-printable UTF-8', () => {
    const raw = fixture('bare-lf.eml');
    assert.ok(searchableText(raw, indexMessage(raw)).body.includes('café'));
  });

  it('unknown charset and invalid UTF-8 fall back without throwing', () => {
    const raw = Buffer.from('Content-Type: text/plain; charset=x-klingon\r\n\r\nna\xefve', 'latin1');
    assert.equal(searchableText(raw, indexMessage(raw)).body, 'naïve');
    const u = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nok \xff', 'latin1');
    assert.equal(searchableText(u, indexMessage(u)).body, 'ok ÿ');
  });

  it('caps the body text', () => {
    const big = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(TEXT_CAP + 5000, 'a')]);
    const t = searchableText(big, indexMessage(big));
    assert.ok(t.body.length <= TEXT_CAP);
    assert.ok(t.body.length > TEXT_CAP - 10);
  });

  it('stripHtml', () => {
    assert.equal(stripHtml('<style>p{}</style>a&lt;b&#233;&#x263A;<!-- c -->').trim(), 'a<bé☺');
  });
});

describe('header helpers', () => {
  it('parseHeaders: unfolded raw values, names, byte ranges; stops at the blank line', () => {
    const buf = Buffer.from('Subject: =?utf-8?q?hi?=\r\n there\r\nX-A: 1\nx-a:2\r\nBroken line\r\nX-B :  3 \r\n\r\nBody: no\r\n');
    const f = parseHeaders(buf);
    assert.deepEqual(
      f.map((x) => [x.name, x.key, x.value]),
      [
        ['Subject', 'subject', '=?utf-8?q?hi?= there'],
        ['X-A', 'x-a', '1'],
        ['x-a', 'x-a', '2'],
        ['X-B', 'x-b', '3'],
      ],
    );
    assert.equal(buf.subarray(f[0]!.start, f[0]!.end).toString(), 'Subject: =?utf-8?q?hi?=\r\n there\r\n');
  });

  it('headerValue / headerValues on a part', () => {
    const raw = fixture('mixed-attachments.eml');
    const ix = indexMessage(raw);
    assert.equal(headerValue(raw, ix.root, 'message-id'), '<mixed-1@example.org>');
    assert.equal(headerValue(raw, partAt(ix, '2'), 'Content-Description'), 'Quarterly report');
    assert.equal(headerValue(raw, ix.root, 'x-none'), null);
    const s = fixture('simple.eml');
    assert.equal(headerValues(s, indexMessage(s).root, 'received')[0], 'from mx.example.org (mx.example.org [192.0.2.1])\tby mail.example.com with ESMTPS id 12345\tfor <bob@example.com>; Mon, 01 Jan 2024 10:00:00 +0000');
  });
});

describe('stripHtml on hostile input', () => {
  it('stays linear on unterminated tags, comments and scripts', () => {
    const bad = '<script>'.repeat(20000) + '<!--'.repeat(20000) + 'a < b '.repeat(20000) + '<a href="x"'.repeat(20000);
    const out = stripHtml(bad);
    assert.equal(typeof out, 'string');
    const lt = stripHtml('1 < 2 and 3 > 2 <b>bold</b> <!-- c --> <br>x');
    assert.equal(lt, '1 < 2 and 3 > 2  bold    \nx');
  });
});
