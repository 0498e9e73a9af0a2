/**
 * FETCH of MIME sections, checked the way a peer compliance suite checks them (RFC 9051
 * §6.4.5 section-spec, §7.5.2 BODYSTRUCTURE; RFC 3516 BINARY): nested multiparts with a
 * folded boundary, message/rfc822 parts (one and two levels deep), a digest whose parts
 * default to message/rfc822, partial ranges, and transfer-decoded BINARY. Expected bytes
 * are cut from the fixture files themselves, so every answer is checked byte for byte.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seed, startServer, type ImapClient, type ImapServer } from '../harness.js';

const fixture = (name: string) => readFileSync(join(process.cwd(), 'test/fixtures/imap', name));

/** the text between the first occurrence of `from` and the first `to` after it (both included/excluded) */
function cut(raw: Buffer, from: string, to: string | null): string {
  const s = raw.toString('latin1');
  const a = s.indexOf(from);
  assert.ok(a >= 0, `fixture has ${from}`);
  if (to === null) return s.slice(a);
  const b = s.indexOf(to, a + from.length);
  assert.ok(b >= 0, `fixture has ${to} after ${from}`);
  return s.slice(a, b);
}

/** one FETCH item's value from a FETCH response line: a literal's bytes, a number, or NIL */
function item(line: string, name: string): string {
  const at = line.indexOf(name + ' ');
  assert.ok(at >= 0, `${name} in ${line.slice(0, 200)}`);
  const rest = line.slice(at + name.length + 1);
  const lit = /^~?\{(\d+)\}\r\n/.exec(rest);
  if (lit) {
    const start = lit[0].length;
    return Buffer.from(rest, 'utf8').subarray(start, start + Number(lit[1])).toString('latin1');
  }
  const q = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
  if (q) return q[1]!;
  return /^[^ )]+/.exec(rest)![0];
}

describe('imap compliance: FETCH of MIME sections', () => {
  let server: ImapServer;
  let c: ImapClient;
  const nested = fixture('nested-mime.eml');
  const digest = fixture('rfc822-digest.eml');
  const twice = fixture('rfc822-twice.eml');
  const binary = fixture('binary-parts.eml');

  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [nested, digest, twice, binary]);
    c = await server.login();
    await c.command('s SELECT INBOX');
  });
  after(() => server.close());

  async function fetchOne(seq: number, atts: string): Promise<string> {
    const r = await c.command(`f FETCH ${seq} (${atts})`);
    assert.match(r.tagged, /^f OK/, r.tagged);
    const lines = r.untagged.filter((l) => l.startsWith(`* ${seq} FETCH`));
    assert.equal(lines.length, 1, r.untagged.join('\n'));
    return lines[0]!;
  }

  it('multipart with a folded boundary, prologue and epilogue: TEXT, parts, MIME headers', async () => {
    const l = await fetchOne(1, 'BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2] BODY.PEEK[2.MIME]');
    assert.equal(item(l, 'BODY[TEXT]'), cut(nested, 'Preamble of the outer', null));
    assert.equal(item(l, 'BODY[1]'), 'first part\r\n');
    assert.equal(item(l, 'BODY[1.MIME]'), 'Content-Type: text/x-custom; charset=us-ascii\r\n\r\n');
    assert.equal(item(l, 'BODY[2]'), cut(nested, 'From: dave@', '\r\n--outer line--'));
    assert.equal(item(l, 'BODY[2.MIME]'), 'Content-Type: message/rfc822\r\n\r\n');
  });

  it('message/rfc822 part: HEADER, TEXT, HEADER.FIELDS(.NOT) and its inner parts', async () => {
    const l = await fetchOne(
      1,
      'BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.HEADER.FIELDS (from subject X-foo)] ' +
        'BODY.PEEK[2.HEADER.FIELDS.NOT (from subject X-foo)] BODY.PEEK[2.1] BODY.PEEK[2.1.MIME] BODY.PEEK[2.2] BODY.PEEK[2.2.MIME]',
    );
    assert.equal(item(l, 'BODY[2.HEADER]'), cut(nested, 'From: dave@', 'Inner preamble'));
    assert.equal(item(l, 'BODY[2.TEXT]'), cut(nested, 'Inner preamble', '\r\n--outer line--'));
    // the field names are echoed as the client sent them
    assert.equal(
      item(l, 'BODY[2.HEADER.FIELDS (from subject X-foo)]'),
      'From: dave@example.org\r\nSubject: inner message\r\n\r\n',
    );
    assert.equal(
      item(l, 'BODY[2.HEADER.FIELDS.NOT (from subject X-foo)]'),
      'Date: Wed, 04 Jun 2014 09:30:00 +0200\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n',
    );
    assert.equal(item(l, 'BODY[2.1]'), '<b>bold text</b>\r\n');
    assert.equal(item(l, 'BODY[2.1.MIME]'), 'Content-Type: text/html\r\n\r\n');
    assert.equal(item(l, 'BODY[2.2]'), 'plain alternative\r\n');
    assert.equal(item(l, 'BODY[2.2.MIME]'), 'Content-Type: text/plain\r\n\r\n');
  });

  it('BINARY[] of sections that need no decoding equals BODY[], and BINARY.SIZE counts it', async () => {
    const l = await fetchOne(
      1,
      'BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1.MIME] BINARY.SIZE[1.MIME] BINARY.SIZE[2] BINARY.PEEK[2.HEADER] ' +
        'BINARY.SIZE[2.HEADER] BINARY.PEEK[2.HEADER.FIELDS (from subject)] BINARY.SIZE[2.HEADER.FIELDS (from subject)] ' +
        'BINARY.SIZE[2.TEXT] BINARY.SIZE[TEXT] BINARY.SIZE[]',
    );
    assert.equal(item(l, 'BINARY[1]'), 'first part\r\n');
    assert.equal(item(l, 'BINARY.SIZE[1]'), '12');
    assert.equal(item(l, 'BINARY[1.MIME]'), 'Content-Type: text/x-custom; charset=us-ascii\r\n\r\n');
    assert.equal(Number(item(l, 'BINARY.SIZE[1.MIME]')), 'Content-Type: text/x-custom; charset=us-ascii\r\n\r\n'.length);
    assert.equal(Number(item(l, 'BINARY.SIZE[2]')), cut(nested, 'From: dave@', '\r\n--outer line--').length);
    const hdr = cut(nested, 'From: dave@', 'Inner preamble');
    assert.equal(item(l, 'BINARY[2.HEADER]'), hdr);
    assert.equal(Number(item(l, 'BINARY.SIZE[2.HEADER]')), hdr.length);
    assert.equal(item(l, 'BINARY[2.HEADER.FIELDS (from subject)]'), 'From: dave@example.org\r\nSubject: inner message\r\n\r\n');
    assert.equal(Number(item(l, 'BINARY.SIZE[2.HEADER.FIELDS (from subject)]')), 'From: dave@example.org\r\nSubject: inner message\r\n\r\n'.length);
    assert.equal(Number(item(l, 'BINARY.SIZE[2.TEXT]')), cut(nested, 'Inner preamble', '\r\n--outer line--').length);
    assert.equal(Number(item(l, 'BINARY.SIZE[TEXT]')), cut(nested, 'Preamble of the outer', null).length);
    assert.equal(Number(item(l, 'BINARY.SIZE[]')), nested.length);
  });

  it('BODYSTRUCTURE: lines count line breaks; message/rfc822 carries envelope, body and lines', async () => {
    const l = await fetchOne(1, 'BODY');
    assert.equal(
      l,
      '* 1 FETCH (BODY (("TEXT" "X-CUSTOM" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1)' +
        '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 301 ("Wed, 04 Jun 2014 09:30:00 +0200" "inner message" ' +
        '((NIL NIL "dave" "example.org")) ((NIL NIL "dave" "example.org")) ((NIL NIL "dave" "example.org")) NIL NIL NIL NIL NIL) ' +
        '(("TEXT" "HTML" ("CHARSET" "us-ascii") NIL NIL "7BIT" 18 1)("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 19 1) "ALTERNATIVE") 18) ' +
        '"MIXED"))',
    );
    // base64 text whose last line has no line break: 0 lines, as Dovecot counts
    const b = await fetchOne(4, 'BODYSTRUCTURE');
    assert.ok(b.includes('("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "BASE64" 24 0 NIL NIL NIL NIL)'), b);
    assert.ok(b.includes('"BASE64" 44 2 NIL NIL NIL NIL)'), b);
  });

  it('message/rfc822 holding a multipart/digest: parts default to message/rfc822', async () => {
    const l = await fetchOne(
      2,
      'BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT] BODY.PEEK[1.1] BODY.PEEK[1.1.MIME] ' +
        'BODY.PEEK[1.1.HEADER] BODY.PEEK[1.1.TEXT] BODY.PEEK[1.2] BODY.PEEK[1.2.MIME] BODY.PEEK[1.2.HEADER] BODY.PEEK[1.2.TEXT]',
    );
    const inner = cut(digest, 'From: frank@', null);
    assert.equal(item(l, 'BODY[TEXT]'), inner);
    assert.equal(item(l, 'BODY[1]'), inner);
    assert.equal(item(l, 'BODY[1.HEADER]'), cut(digest, 'From: frank@', 'digest preamble'));
    assert.equal(item(l, 'BODY[1.TEXT]'), cut(digest, 'digest preamble', null));
    assert.equal(item(l, 'BODY[1.1]'), 'From: g1@example.com\r\nSubject: entry one\r\n\r\nentry one body\r\n');
    assert.equal(item(l, 'BODY[1.1.MIME]'), '\r\n');
    assert.equal(item(l, 'BODY[1.1.HEADER]'), 'From: g1@example.com\r\nSubject: entry one\r\n\r\n');
    assert.equal(item(l, 'BODY[1.1.TEXT]'), 'entry one body\r\n');
    assert.equal(item(l, 'BODY[1.2]'), 'From: g2@example.com\r\nSubject: entry two\r\n\r\nentry two body\r\n');
    assert.equal(item(l, 'BODY[1.2.MIME]'), 'X-Part-Note: second entry header\r\n\r\n');
    assert.equal(item(l, 'BODY[1.2.HEADER]'), 'From: g2@example.com\r\nSubject: entry two\r\n\r\n');
    assert.equal(item(l, 'BODY[1.2.TEXT]'), 'entry two body\r\n');
  });

  it('message/rfc822 inside message/rfc822', async () => {
    const l = await fetchOne(
      3,
      'BODY.PEEK[1] BODY.PEEK[1.1] BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT] BODY.PEEK[1.1.1] BODY.PEEK[1.1.HEADER] BODY.PEEK[1.1.TEXT]',
    );
    assert.equal(item(l, 'BODY[1]'), cut(twice, 'From: ivy@', null));
    assert.equal(item(l, 'BODY[1.1]'), cut(twice, 'From: jack@', null));
    assert.equal(item(l, 'BODY[1.HEADER]'), cut(twice, 'From: ivy@', 'From: jack@'));
    assert.equal(item(l, 'BODY[1.TEXT]'), cut(twice, 'From: jack@', null));
    assert.equal(item(l, 'BODY[1.1.1]'), 'deepest body\r\n');
    assert.equal(item(l, 'BODY[1.1.HEADER]'), cut(twice, 'From: jack@', 'deepest body'));
    assert.equal(item(l, 'BODY[1.1.TEXT]'), 'deepest body\r\n');
  });

  it('partial fetches clip at the end and report their origin; a missing section is empty', async () => {
    const l = await fetchOne(1, 'BODY.PEEK[1]<2.3> BODY.PEEK[1]<10.5> BODY.PEEK[1]<50.5> BODY.PEEK[2.1]<0.3> BODY.PEEK[3] BODY.PEEK[2.1.HEADER]');
    assert.equal(item(l, 'BODY[1]<2>'), 'rst');
    assert.equal(item(l, 'BODY[1]<10>'), '\r\n');
    assert.equal(item(l, 'BODY[1]<50>'), '');
    assert.equal(item(l, 'BODY[2.1]<0>'), '<b>');
    assert.equal(item(l, 'BODY[3]'), '');
    assert.equal(item(l, 'BODY[2.1.HEADER]'), '');
  });

  it('BINARY decodes base64 (split lines, spaces) and quoted-printable; sizes are decoded sizes', async () => {
    const l = await fetchOne(
      4,
      'BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[3] BINARY.PEEK[4] BINARY.PEEK[5] BINARY.PEEK[6] ' +
        'BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3] BINARY.SIZE[4] BINARY.SIZE[5] BINARY.SIZE[6]',
    );
    const want = [
      'first decoded line',
      'second one, split over lines',
      'tab\there and spaces',
      'soft break, tab\tand  trailing    \r\nline two= end\r\nfoo_bar',
      'ABCDEFG\x00HIJKL\r\nmnop\r\nQRSTUVWXYZ',
      'seven bit',
    ];
    want.forEach((w, i) => {
      assert.equal(item(l, `BINARY[${i + 1}]`), w, `BINARY[${i + 1}]`);
      assert.equal(Number(item(l, `BINARY.SIZE[${i + 1}]`)), Buffer.byteLength(w, 'latin1'), `BINARY.SIZE[${i + 1}]`);
    });
    // a NUL byte needs a literal8 (RFC 3516 §4.2)
    assert.match(l, /BINARY\[5\] ~\{31\}/);
  });

  it('BINARY partial ranges over decoded data, also "<offset>" alone (to the end)', async () => {
    const l = await fetchOne(4, 'BINARY.PEEK[5]<0.7> BINARY.PEEK[5]<5.10> BINARY.PEEK[5]<15> BINARY.PEEK[4]<40>');
    assert.equal(item(l, 'BINARY[5]<0>'), 'ABCDEFG');
    assert.equal(item(l, 'BINARY[5]<5>'), 'FG\x00HIJKL\r\n');
    assert.equal(item(l, 'BINARY[5]<15>'), 'mnop\r\nQRSTUVWXYZ');
    assert.equal(item(l, 'BINARY[4]<40>'), 'two= end\r\nfoo_bar');
  });

  it('FETCH BINARY without PEEK sets \\Seen and reports it', async () => {
    const r = await c.command('f FETCH 4 (BINARY[6])');
    assert.match(r.tagged, /^f OK/);
    const all = r.untagged.join('\n');
    assert.match(all, /BINARY\[6\] \{9\}\r\nseven bit/);
    assert.match(all, /FLAGS \([^)]*\\Seen/);
  });
});
