import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFetchArgs, fetchLabel, fetchSetsSeen } from '../../../../src/imap/wire/args/fetch.js';
import { WireError } from '../../../../src/imap/wire/errors.js';
import { argsOf } from './util.js';

test('RFC 9051 §6.4.5 example: FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])', () => {
  const f = parseFetchArgs(argsOf('A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])'), { uid: false });
  assert.deepEqual(f.set, { saved: false, ranges: [[2, 4]] });
  assert.deepEqual(f.atts, [
    { type: 'FLAGS' },
    { type: 'BODY[]', peek: false, section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] }, partial: null },
  ]);
  assert.equal(fetchLabel(f.atts[1]!), 'BODY[HEADER.FIELDS (DATE FROM)]');
  assert.equal(f.changedSince, null);
  assert.equal(f.vanished, false);
});

test('macros ALL, FAST, FULL (RFC 9051 §6.4.5)', () => {
  const all = parseFetchArgs(argsOf('A1 FETCH 1:* ALL'), { uid: false });
  assert.deepEqual(
    all.atts.map((a) => a.type),
    ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  );
  assert.equal(all.macro, 'ALL');
  assert.deepEqual(
    parseFetchArgs(argsOf('A1 FETCH 1 fast'), { uid: false }).atts.map((a) => a.type),
    ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  );
  assert.deepEqual(
    parseFetchArgs(argsOf('A1 FETCH 1 FULL'), { uid: false }).atts.map((a) => a.type),
    ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
  );
});

test('every simple item, sections, partials, BINARY (RFC 3516) and labels', () => {
  const f = parseFetchArgs(
    argsOf(
      'A1 FETCH 1,3:5,* (uid flags internaldate rfc822.size envelope body bodystructure modseq rfc822 rfc822.header rfc822.text ' +
        'BODY[] BODY.PEEK[TEXT]<0.100> body[1.2] BODY[1.2.MIME] BODY[3.HEADER] BODY.PEEK[2.HEADER.FIELDS.NOT (received "x-spam")] ' +
        'BINARY[1.2] BINARY.PEEK[]<5.10> BINARY.SIZE[1])',
    ),
    { uid: false },
  );
  assert.deepEqual(f.set, {
    saved: false,
    ranges: [
      [1, 1],
      [3, 5],
      ['*', '*'],
    ],
  });
  const labels = f.atts.map(fetchLabel);
  assert.deepEqual(labels, [
    'UID',
    'FLAGS',
    'INTERNALDATE',
    'RFC822.SIZE',
    'ENVELOPE',
    'BODY',
    'BODYSTRUCTURE',
    'MODSEQ',
    'RFC822',
    'RFC822.HEADER',
    'RFC822.TEXT',
    'BODY[]',
    'BODY[TEXT]<0>',
    'BODY[1.2]',
    'BODY[1.2.MIME]',
    'BODY[3.HEADER]',
    'BODY[2.HEADER.FIELDS.NOT (received x-spam)]',
    'BINARY[1.2]',
    'BINARY[]<5>',
    'BINARY.SIZE[1]',
  ]);
  assert.deepEqual(f.atts[12], { type: 'BODY[]', peek: true, section: { part: [], text: 'TEXT' }, partial: { offset: 0, length: 100 } });
  assert.deepEqual(f.atts[18], { type: 'BINARY[]', peek: true, part: [], section: { part: [], text: null }, partial: { offset: 5, length: 10 } });
  assert.deepEqual(
    f.atts.map(fetchSetsSeen),
    [false, false, false, false, false, false, false, false, true, false, true, true, false, true, true, true, false, true, false, false],
  );
});

test('UID FETCH adds UID; CHANGEDSINCE adds MODSEQ; VANISHED needs UID FETCH and CHANGEDSINCE (RFC 7162)', () => {
  const u = parseFetchArgs(argsOf('A999 UID FETCH 4827313:4828442 FLAGS'), { uid: true });
  assert.deepEqual(u.atts, [{ type: 'UID' }, { type: 'FLAGS' }]);
  const c = parseFetchArgs(argsOf('s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)'), { uid: true });
  assert.equal(c.changedSince, 12345);
  assert.equal(c.vanished, true);
  assert.deepEqual(c.atts, [{ type: 'UID' }, { type: 'FLAGS' }, { type: 'MODSEQ' }]);
  assert.throws(() => parseFetchArgs(argsOf('A FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'), { uid: false }), WireError);
  assert.throws(() => parseFetchArgs(argsOf('A UID FETCH 1:* (FLAGS) (VANISHED)'), { uid: true }), WireError);
  assert.equal(parseFetchArgs(argsOf('A FETCH $ FLAGS'), { uid: false }).set.saved, true);
});

test('a partial range without a length reaches to the end (accepted like Dovecot)', () => {
  const a = parseFetchArgs(argsOf('A FETCH 1 (BINARY.PEEK[5]<15> BODY.PEEK[TEXT]<3>)'), { uid: false });
  assert.deepEqual(
    a.atts.map((x) => ('partial' in x && x.partial ? x.partial.offset : null)),
    [15, 3],
  );
  const first = a.atts[0]!;
  assert.ok('partial' in first && first.partial && first.partial.length >= Number.MAX_SAFE_INTEGER);
});

test('bad FETCH arguments are WireError BAD', () => {
  const bad = [
    'A FETCH',
    'A FETCH 1',
    'A FETCH 0 FLAGS',
    'A FETCH 1:x FLAGS',
    'A FETCH 1 ()',
    'A FETCH 1 (FLAGS BOGUS)',
    'A FETCH 1 BODY[MIME]',
    'A FETCH 1 BODY[HEADER.FIELDS]',
    'A FETCH 1 BODY[HEADER.FIELDS ()]',
    'A FETCH 1 BODY[TEXT (X)]',
    'A FETCH 1 BODY[0]',
    'A FETCH 1 BODY[1.FOO]',
    'A FETCH 1 BODY[]<5.0>',
    'A FETCH 1 BINARY[FOO]',
    'A FETCH 1 BINARY[1.0]',
    'A FETCH 1 BINARY.SIZE[1]<0.5>',
    'A FETCH 1 FLAGS EXTRA',
    'A FETCH 1 FLAGS (FOO 1)',
  ];
  for (const line of bad) {
    assert.throws(
      () => parseFetchArgs(argsOf(line), { uid: false }),
      (e: unknown) => e instanceof WireError && e.code === 'BAD',
      line,
    );
  }
});

test('toMimeSection gives the shape src/mime/section.ts expects', async () => {
  const { toMimeSection } = await import('../../../../src/imap/wire/args/fetch.js');
  const f = parseFetchArgs(argsOf('A FETCH 1 (BODY[1.2.HEADER.FIELDS (From)] BODY[] BODY[2.MIME])'), { uid: false });
  const secs = f.atts.map((a) => (a.type === 'BODY[]' ? toMimeSection(a.section) : null));
  assert.deepEqual(secs, [{ path: [1, 2], specifier: 'HEADER.FIELDS', fields: ['From'] }, { path: [] }, { path: [2], specifier: 'MIME' }]);
});

test('BINARY accepts full section specs like Dovecot (imaptest fetch-binary-mime)', () => {
  const f = parseFetchArgs(
    argsOf('A FETCH 1 (binary.peek[1.mime] binary.size[2.header.fields (from subject X-foo)] binary.peek[text] BINARY[2.1]<0.10>)'),
    { uid: false },
  );
  assert.deepEqual(f.atts[0], { type: 'BINARY[]', peek: true, part: [1], section: { part: [1], text: 'MIME' }, partial: null });
  assert.deepEqual(f.atts[1], {
    type: 'BINARY.SIZE',
    part: [2],
    section: { part: [2], text: 'HEADER.FIELDS', fields: ['from', 'subject', 'X-foo'] },
  });
  assert.deepEqual(f.atts.map(fetchLabel), [
    'BINARY[1.MIME]',
    'BINARY.SIZE[2.HEADER.FIELDS (from subject X-foo)]',
    'BINARY[TEXT]',
    'BINARY[2.1]<0>',
  ]);
});

test('item labels are the same on every call (one FETCH labels every message), partial origin only where allowed', () => {
  const f = parseFetchArgs(argsOf('A1 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (Subject X-y)]<5.10> BINARY[1]<0.3> BINARY.SIZE[2] BODY[] FLAGS)'), { uid: false });
  const want = ['BODY[HEADER.FIELDS (Subject X-y)]<5>', 'BINARY[1]<0>', 'BINARY.SIZE[2]', 'BODY[]', 'FLAGS'];
  assert.deepEqual(f.atts.map(fetchLabel), want);
  assert.deepEqual(f.atts.map(fetchLabel), want);
  // a second command with other items gets its own labels
  const g = parseFetchArgs(argsOf('A2 FETCH 1 (BODY[TEXT]<0.1> BINARY.SIZE[1])'), { uid: false });
  assert.deepEqual(g.atts.map(fetchLabel), ['BODY[TEXT]<0>', 'BINARY.SIZE[1]']);
});
