import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope, EnvelopeAddress, MimePart } from '../../../../src/mime/types.js';
import {
  atom,
  literal,
  flagList,
  encodeToString,
  encodeFetch,
  encodeTagged,
  encodeStatus,
  encodeUntagged,
  encodeUntaggedBuffer,
  encodeContinuation,
  encodeChallenge,
  encodeEnvelope,
  encodeBodyStructure,
  formatDateTime,
  parseDateTime,
  respCode,
  encodeWords,
  WireWriter,
  type WireValue,
} from '../../../../src/imap/wire/index.js';
import { parseResponse, type RVal } from './respparse.js';

const s = (v: RVal): string | null => {
  if (v !== null && typeof v !== 'string') throw new Error(`expected string, got ${JSON.stringify(v)}`);
  return v;
};
const arr = (v: RVal): RVal[] => {
  if (!Array.isArray(v)) throw new Error(`expected list, got ${JSON.stringify(v)}`);
  return v;
};

function toAddresses(v: RVal): EnvelopeAddress[] | null {
  if (v === null) return null;
  return arr(v).map((a) => {
    const [name, adl, mailbox, host] = arr(a).map(s);
    return { name: name!, adl: adl!, mailbox: mailbox!, host: host! };
  });
}

export function toEnvelope(v: RVal): Envelope {
  const e = arr(v);
  return {
    date: s(e[0]!),
    subject: s(e[1]!),
    from: toAddresses(e[2]!),
    sender: toAddresses(e[3]!),
    replyTo: toAddresses(e[4]!),
    to: toAddresses(e[5]!),
    cc: toAddresses(e[6]!),
    bcc: toAddresses(e[7]!),
    inReplyTo: s(e[8]!),
    messageId: s(e[9]!),
  };
}

function toParams(v: RVal): Array<[string, string]> {
  if (v === null) return [];
  const a = arr(v).map(s);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i]!.toLowerCase(), a[i + 1]!]);
  return out;
}

/** Parsed BODY/BODYSTRUCTURE → MimePart (offsets synthesised from the sizes). */
export function toPart(v: RVal): MimePart {
  const a = arr(v);
  const base = {
    headerStart: 0,
    bodyStart: 0,
    id: null,
    description: null,
    encoding: '7BIT',
    md5: null,
    disposition: null,
    language: null,
    location: null,
    params: [] as Array<[string, string]>,
    bodyLines: 0,
  };
  const ext = (rest: RVal[], p: MimePart) => {
    if (rest.length === 0) return;
    const [dsp, lang, loc] = rest;
    if (dsp) {
      const d = arr(dsp);
      p.disposition = { type: s(d[0]!)!.toLowerCase(), params: toParams(d[1]!) };
    }
    if (lang !== undefined && lang !== null) p.language = Array.isArray(lang) ? lang.map((x) => s(x)!) : [s(lang)!];
    if (loc !== undefined) p.location = s(loc);
  };
  if (Array.isArray(a[0])) {
    let k = 0;
    const parts: MimePart[] = [];
    while (Array.isArray(a[k])) parts.push(toPart(a[k++]!));
    const p: MimePart = { ...base, bodyEnd: 0, type: 'multipart', subtype: s(a[k++]!)!.toLowerCase(), parts };
    if (a.length > k) {
      p.params = toParams(a[k]!);
      ext(a.slice(k + 1), p);
    }
    return p;
  }
  const p: MimePart = {
    ...base,
    type: s(a[0]!)!.toLowerCase(),
    subtype: s(a[1]!)!.toLowerCase(),
    params: toParams(a[2]!),
    id: s(a[3]!),
    description: s(a[4]!),
    encoding: s(a[5]!)!,
    bodyEnd: a[6] as number,
  };
  let k = 7;
  if (p.type === 'message' && (p.subtype === 'rfc822' || p.subtype === 'global') && Array.isArray(a[8])) {
    const inner = toPart(a[8]!);
    inner.envelope = toEnvelope(a[7]!);
    p.message = inner;
    p.bodyLines = a[9] as number;
    k = 10;
  } else if (p.type === 'text') {
    p.bodyLines = a[7] as number;
    k = 8;
  }
  if (a.length > k) {
    p.md5 = s(a[k]!);
    ext(a.slice(k + 1), p);
  }
  return p;
}

// RFC 3501 §7.4.2 / RFC 9051 §7.5.2 FETCH example
const RFC_FETCH =
  '* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" ' +
  '"IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
  '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")' +
  '("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n';

const RFC_MULTIPART_BODY =
  '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
  '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")';

// BODYSTRUCTURE with every kind of extension data, as servers send it
const EXTENDED_BODYSTRUCTURES = [
  '("TEXT" "PLAIN" ("CHARSET" "UTF-8" "FORMAT" "flowed") NIL NIL "QUOTED-PRINTABLE" 1234 30 NIL NIL NIL NIL)',
  '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 425 12 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "us-ascii") NIL NIL "7BIT" 987 20 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "b1") NIL NIL NIL)',
  '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "report q3.pdf") "<part1@x>" "The report" "BASE64" 102400 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("ATTACHMENT" ("FILENAME" "report q3.pdf" "SIZE" "75000")) ("EN" "DE") "http://example.com/r.pdf")' +
    '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2000 ("Mon, 7 Feb 1994 21:52:25 -0800" "Fwd: \\"hi\\" \\\\ there" (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ' +
    '(("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL "<a@b>" "<c@d>") ' +
    '(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "8BIT" 10 1 NIL NIL NIL NIL)("IMAGE" "PNG" NIL NIL NIL "BASE64" 20 NIL ("INLINE" NIL) "EN" NIL) "RELATED" ("BOUNDARY" "inner" "TYPE" "text/plain") NIL NIL NIL) 44 NIL NIL NIL NIL) ' +
    '"MIXED" ("BOUNDARY" "----=_Part_0") ("INLINE" NIL) "FR" "cid:x")',
];

test('round trip: RFC FETCH response (FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY) re-encodes byte for byte', () => {
  const [star, seq, fetch, items] = parseResponse(RFC_FETCH);
  assert.deepEqual([star, seq, fetch], [{ atom: '*' }, 12, { atom: 'FETCH' }]);
  const it = arr(items!);
  const date = parseDateTime(s(it[3]!)!);
  const env = toEnvelope(it[7]!);
  const body = toPart(it[9]!);
  const out = encodeFetch(
    12,
    [
      ['FLAGS', flagList(['\\Seen'])],
      ['INTERNALDATE', formatDateTime(date, -420)],
      ['RFC822.SIZE', 4286],
      ['ENVELOPE', encodeEnvelope(env, false)],
      ['BODY', encodeBodyStructure(body, false)],
    ],
    { utf8: false },
  );
  assert.equal(Buffer.concat(out).toString('utf8'), RFC_FETCH);
});

test('round trip: RFC multipart BODY (no SP between body parts)', () => {
  const [v] = parseResponse(RFC_MULTIPART_BODY);
  assert.equal(encodeToString(encodeBodyStructure(toPart(v!), false)), RFC_MULTIPART_BODY);
});

test('round trip: extended BODYSTRUCTURE (md5, disposition, language, location, message/rfc822, groups, escapes)', () => {
  for (const bs of EXTENDED_BODYSTRUCTURES) {
    const [v] = parseResponse(bs);
    assert.equal(encodeToString(encodeBodyStructure(toPart(v!), true)), bs);
  }
});

test('BODY (non-extensible) of an extended structure drops exactly the extension data', () => {
  const [v] = parseResponse(EXTENDED_BODYSTRUCTURES[2]!);
  const body = encodeToString(encodeBodyStructure(toPart(v!), false));
  assert.ok(!body.includes('ATTACHMENT') && !body.includes('BOUNDARY') && !body.includes('Q2hl'));
  const [bv] = parseResponse(body);
  const mp = arr(bv!);
  assert.deepEqual(mp.slice(-1), ['MIXED']);
  assert.equal(arr(mp[1]!).length, 7); // APPLICATION/PDF: body-fields only
  assert.equal(arr(mp[2]!).length, 10); // MESSAGE/RFC822: fields + envelope + body + lines
});

test('multipart without children still yields a valid body (grammar needs 1*body)', () => {
  const mp = toPart(parseResponse('(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0) "MIXED")')[0]!);
  mp.parts = [];
  assert.equal(encodeToString(encodeBodyStructure(mp, false)), '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0) "MIXED")');
});

test('ENVELOPE for non-UTF8 sessions: RFC 2047 words for names/subject, literal for 8-bit local parts', () => {
  const env: Envelope = {
    date: 'Mon, 1 Jan 2024 10:00:00 +0100',
    subject: 'Grüße aus Köln',
    from: [{ name: 'Jörg Müller', adl: null, mailbox: 'joerg', host: 'example.de' }],
    sender: null,
    replyTo: null,
    to: [{ name: null, adl: null, mailbox: 'δοκιμή', host: 'παράδειγμα.δοκιμή' }],
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: '<x@y>',
  };
  const rev1 = encodeToString(encodeEnvelope(env, false), { utf8: false });
  assert.ok(rev1.includes('"=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?="'), rev1);
  assert.ok(rev1.includes('"=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?="'), rev1);
  assert.ok(rev1.includes(`{${Buffer.byteLength('δοκιμή')}}\r\nδοκιμή`), rev1);
  const [v1] = parseResponse(rev1);
  assert.equal(toEnvelope(v1!).to![0]!.mailbox, 'δοκιμή');
  const rev2 = encodeToString(encodeEnvelope(env, true), { utf8: true });
  assert.ok(rev2.includes('"Grüße aus Köln"') && rev2.includes('"Jörg Müller"') && rev2.includes('"δοκιμή"'), rev2);
  assert.deepEqual(toEnvelope(parseResponse(rev2)[0]!), env);
  assert.equal(encodeToString(encodeEnvelope(undefined, true)), '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
});

test('RFC 2047 encoder keeps words ≤ 75 chars and never splits a UTF-8 sequence', () => {
  const long = 'Ünïcödé '.repeat(30) + '😀😀😀';
  const enc = encodeWords(long);
  const words = enc.split(' ');
  for (const w of words) {
    assert.ok(w.length <= 75, w);
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(w);
    assert.ok(m, w);
    assert.ok(!Buffer.from(m[1]!, 'base64').toString('utf8').includes('\ufffd'));
  }
  assert.equal(words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join(''), long);
  assert.equal(encodeWords('plain ascii'), 'plain ascii');
});

test('strings: quoted when safe, literal with exact byte count otherwise', () => {
  assert.equal(encodeToString('abc'), '"abc"');
  assert.equal(encodeToString('a "b" \\c'), '"a \\"b\\" \\\\c"');
  assert.equal(encodeToString('line1\r\nline2'), '{12}\r\nline1\r\nline2');
  assert.equal(encodeToString('café'), '{5}\r\ncafé');
  assert.equal(encodeToString('café', { utf8: true }), '"café"');
  assert.equal(encodeToString('x'.repeat(2000)).slice(0, 8), '{2000}\r\n');
  assert.equal(encodeToString(null), 'NIL');
  assert.equal(encodeToString(''), '""');
  assert.equal(encodeToString([1, null, atom('\\Seen'), ['a', []]]), '(1 NIL \\Seen ("a" ()))');
  assert.equal(encodeToString(Buffer.from('hi')), '{2}\r\nhi');
  assert.equal(encodeToString(literal(Buffer.from([0, 1]), true)), '~{2}\r\n\u0000\u0001');
});

test('FETCH assembly writes BODY[] Buffers as literals without copying them', () => {
  const raw = Buffer.from('Subject: hi\r\n\r\nbody with "quotes" and 8-bit: \xe9\r\n', 'latin1');
  const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0]);
  const chunks = encodeFetch(7, [
    ['UID', 42],
    ['BODY[]', raw],
    ['BINARY[1]', literal(bin, true)],
    ['BODY[HEADER.FIELDS (FROM)]<0>', Buffer.alloc(0)],
  ]);
  assert.ok(chunks.includes(raw), 'the Buffer itself is one of the chunks');
  assert.ok(chunks.includes(bin));
  const all = Buffer.concat(chunks);
  const expected = Buffer.concat([
    Buffer.from(`* 7 FETCH (UID 42 BODY[] {${raw.length}}\r\n`),
    raw,
    Buffer.from(' BINARY[1] ~{5}\r\n'),
    bin,
    Buffer.from(' BODY[HEADER.FIELDS (FROM)]<0> {0}\r\n)\r\n'),
  ]);
  assert.ok(all.equals(expected), all.toString('latin1'));
});

test('metadata FETCH in one call (fetchMeta) writes the same bytes as the item-by-item path', () => {
  const cases: Array<[string, readonly string[], boolean]> = [
    ['UF', [], false],
    ['FU', ['\\Seen'], true],
    ['UFM', ['\\Seen', '$Forwarded', 'Work'], false],
    ['MF', [], true],
    ['F', ['\\Answered'], false],
  ];
  for (const keyword of ['FETCH', 'UIDFETCH'] as const) {
    for (const [order, flags, recent] of cases) {
      const items: Array<[string, WireValue]> = [...order].map((c) =>
        c === 'U' ? ['UID', 4242] : c === 'F' ? ['FLAGS', flagList(flags, recent)] : ['MODSEQ', [9007199254740]],
      );
      const want = Buffer.concat(new WireWriter().fetch(17, items, keyword).chunks()).toString();
      const got = new WireWriter().fetchMeta(17, keyword, order, 4242, flags, recent, 9007199254740).toBuffer().toString();
      assert.equal(got, want);
    }
  }
  assert.equal(new WireWriter().fetchMeta(3, 'FETCH', 'UF', 9, ['\\Seen'], true, 1).toBuffer().toString(), '* 3 FETCH (UID 9 FLAGS (\\Seen \\Recent))\r\n');
});

test('status responses, response codes, continuations', () => {
  assert.equal(encodeTagged('A003', 'OK', 'APPEND completed', respCode('APPENDUID', 38505, 3955)).toString(), 'A003 OK [APPENDUID 38505 3955] APPEND completed\r\n');
  assert.equal(
    encodeTagged('A1', 'NO', 'unsupported charset', respCode('BADCHARSET', ['UTF-8', 'US-ASCII'])).toString(),
    'A1 NO [BADCHARSET ("UTF-8" "US-ASCII")] unsupported charset\r\n',
  );
  assert.equal(
    encodeTagged('A1', 'NO', 'x', respCode('BADCHARSET', [atom('UTF-8'), atom('US-ASCII')])).toString(),
    'A1 NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n',
  );
  assert.equal(encodeStatus('*', 'OK', 'UIDs valid', respCode('UIDVALIDITY', 3857529045)).toString(), '* OK [UIDVALIDITY 3857529045] UIDs valid\r\n');
  assert.equal(encodeStatus('*', 'BYE', 'bad\r\nthing').toString(), '* BYE bad thing\r\n');
  assert.equal(encodeTagged('a', 'BAD', '').toString(), 'a BAD Completed\r\n');
  assert.equal(
    encodeStatus('*', 'OK', 'Limited', respCode('PERMANENTFLAGS', flagList(['\\Deleted', '\\Seen', '\\*']))).toString(),
    '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n',
  );
  assert.equal(encodeUntaggedBuffer([23, atom('EXISTS')]).toString(), '* 23 EXISTS\r\n');
  const list: WireValue[] = [atom('LIST'), [atom('\\HasNoChildren')], '/', 'Entwürfe'];
  assert.equal(Buffer.concat(encodeUntagged(list, { utf8: true })).toString(), '* LIST (\\HasNoChildren) "/" "Entwürfe"\r\n');
  assert.equal(encodeContinuation().toString(), '+ Ready for literal data\r\n');
  assert.equal(encodeChallenge(Buffer.alloc(0)).toString(), '+ \r\n');
  assert.equal(encodeChallenge(Buffer.from('Username:')).toString(), '+ VXNlcm5hbWU6\r\n');
});

test('message/rfc822 without a parsed encapsulation still follows body-type-msg', () => {
  const p = toPart(parseResponse('("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 NIL NIL NIL NIL)')[0]!);
  assert.equal(p.message, undefined);
  p.bodyLines = 2;
  assert.equal(
    encodeToString(encodeBodyStructure(p, false)),
    '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0) 2)',
  );
});

test('non-ASCII parameter values: UTF-8 when enabled, RFC 2047 words otherwise', () => {
  const p = toPart(parseResponse('("APPLICATION" "PDF" ("NAME" "x") NIL NIL "BASE64" 10 NIL ("ATTACHMENT" ("FILENAME" "x")) NIL NIL)')[0]!);
  p.params = [['name', 'Grüße.pdf']];
  p.disposition = { type: 'attachment', params: [['filename', 'Grüße.pdf']] };
  const rev1 = encodeToString(encodeBodyStructure(p, true, { utf8: false }), { utf8: false });
  assert.equal(rev1, '("APPLICATION" "PDF" ("NAME" "=?UTF-8?B?R3LDvMOfZS5wZGY=?=") NIL NIL "BASE64" 10 NIL ("ATTACHMENT" ("FILENAME" "=?UTF-8?B?R3LDvMOfZS5wZGY=?=")) NIL NIL)');
  const rev2 = encodeToString(encodeBodyStructure(p, true, { utf8: true }), { utf8: true });
  assert.equal(rev2, '("APPLICATION" "PDF" ("NAME" "Grüße.pdf") NIL NIL "BASE64" 10 NIL ("ATTACHMENT" ("FILENAME" "Grüße.pdf")) NIL NIL)');
});

test('numberList: SP-separated digits written as bytes, the same as numbers one by one', async () => {
  const { numberList, WireWriter } = await import('../../../../src/imap/wire/encode.js');
  const nums = [1, 22, 0, 4294967295, 9999999999, 7];
  const bytes = new WireWriter().untagged([atom('SORT'), numberList(nums)]).toBuffer().toString();
  assert.equal(bytes, '* SORT 1 22 0 4294967295 9999999999 7\r\n');
  assert.equal(bytes, new WireWriter().untagged([atom('SORT'), ...nums]).toBuffer().toString());
  // beyond 10 digits (a MODSEQ), or not an integer: still right, by the slower way
  assert.equal(encodeToString(numberList([5, 2 ** 40, 3.7])), '5 1099511627776 3');
  assert.equal(encodeToString(numberList([])), '');
  const many = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 100_003);
  assert.equal(encodeToString(numberList(many)), many.join(' '));
});

test('fetchMeta as bytes: large and small numbers, non-ASCII flags, and its rows in order among text and literals across buffers', () => {
  const viaItems = (w: WireWriter, num: number, keyword: 'FETCH' | 'UIDFETCH', order: string, uid: number, flags: readonly string[], recent: boolean, modseq: number) =>
    w.fetch(
      num,
      [...order].map((c): [string, WireValue] => (c === 'U' ? ['UID', uid] : c === 'F' ? ['FLAGS', flagList(flags, recent)] : ['MODSEQ', [modseq]])),
      keyword,
    );
  const rows: Array<[number, string, number, string[], boolean, number]> = [
    [1, 'UFM', 0, [], false, 1],
    [9, 'UFM', 10, ['\\Seen'], true, 99],
    [10, 'MFU', 4294967295, ['$Forwarded', '\\Flagged'], false, 9007199254740991],
    [100, 'F', 7, [], true, 5],
    [12345, 'UF', 1000000000, ['Caf\u00e9', '\\Seen'], true, 2 ** 40], // not ASCII: written as text, UTF-8
  ];
  for (const keyword of ['FETCH', 'UIDFETCH'] as const)
    for (const [num, order, uid, flags, recent, modseq] of rows) {
      const want = viaItems(new WireWriter(), num, keyword, order, uid, flags, recent, modseq).toBuffer();
      const got = new WireWriter().fetchMeta(num, keyword, order, uid, flags, recent, modseq).toBuffer();
      assert.ok(got.equals(want), `${got.toString()} != ${want.toString()}`);
    }
  // many rows (several of fetchMeta's buffers) between text and literals, chunks taken midway
  const a = new WireWriter();
  const b = new WireWriter();
  const outA: Buffer[] = [];
  const outB: Buffer[] = [];
  for (let i = 1; i <= 6000; i++) {
    const flags = i % 3 ? ['\\Seen'] : i % 7 ? [] : ['Caf\u00e9'];
    a.fetchMeta(i, 'FETCH', 'UF', i * 3, flags, i % 5 === 0, i);
    viaItems(b, i, 'FETCH', 'UF', i * 3, flags, i % 5 === 0, i);
    if (i % 1000 === 0) for (const w of [a, b]) w.untagged([atom('OK'), literal(Buffer.from(`lit ${i}`))]);
    if (i % 1500 === 0) {
      outA.push(...a.chunks());
      outB.push(...b.chunks());
    }
    if (i === 2222) for (const w of [a, b]) w.status('*', 'OK', 'between rows');
  }
  outA.push(...a.chunks());
  outB.push(...b.chunks());
  assert.ok(Buffer.concat(outA).equals(Buffer.concat(outB)));
  // size counts the rows written as bytes
  const w = new WireWriter();
  w.fetchMeta(1, 'FETCH', 'U', 5, [], false, 1);
  assert.equal(w.size, '* 1 FETCH (UID 5)\r\n'.length);
  assert.equal(w.empty, false);
});
