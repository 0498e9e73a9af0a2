import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReader, type ReaderEvent, type ReaderOptions } from '../../../../src/imap/wire/reader.js';
import type { Token } from '../../../../src/imap/wire/tokens.js';

/** Feeds chunks, draining events after each push (the session's pump loop). */
function run(chunks: Array<string | Buffer>, opts?: ReaderOptions): ReaderEvent[] {
  const r = new CommandReader(opts);
  const out: ReaderEvent[] = [];
  for (const c of chunks) {
    r.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'utf8'));
    for (let ev = r.next(); ev; ev = r.next()) out.push(ev);
  }
  return out;
}

function cmd(ev: ReaderEvent | undefined): Extract<ReaderEvent, { type: 'command' }> {
  assert.ok(ev, 'expected an event');
  assert.equal(ev.type, 'command', JSON.stringify(ev));
  return ev as Extract<ReaderEvent, { type: 'command' }>;
}

function simplify(t: Token): unknown {
  switch (t.type) {
    case 'atom':
      return t.value;
    case 'quoted':
      return { q: t.value };
    case 'literal':
      return { lit: t.value.toString('latin1'), binary: t.binary };
    case 'list':
      return t.items.map(simplify);
    case 'section':
      return { section: t.name, spec: t.section.map(simplify), partial: t.partial };
  }
}

// RFC 9051 example lines (§6 examples), including literals
const RFC_SESSION = [
  'a002 NOOP\r\n',
  'A142 SELECT INBOX\r\n',
  'A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"\r\n',
  'A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n',
  'A003 STORE 2:4 +FLAGS (\\Deleted)\r\n',
  'A999 UID FETCH 4827313:4828442 FLAGS\r\n',
  'A202 LIST ~/Mail/ %\r\n',
  'A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n',
  'A003 APPEND saved-messages (\\Seen) {22}\r\nSubject: x\r\n\r\nhello!\r\n\r\n',
  'B1 FETCH 1 (BODY.PEEK[1.2.HEADER.FIELDS.NOT ("Received" X-Spam)]<0.2048> BINARY.PEEK[1]<10.20> BINARY.SIZE[2])\r\n',
  'C1 LOGIN "quoted \\"user\\"" "p\\\\w"\r\n',
];

test('RFC example commands tokenize (literals, sections, quoted escapes)', () => {
  const evs = run([RFC_SESSION.join('')]).filter((e) => e.type === 'command');
  assert.equal(evs.length, RFC_SESSION.length);
  const [noop, select, search, fetch, store, uid, list, login, append, bfetch, qlogin] = evs.map((e) => cmd(e));
  assert.deepEqual([noop!.tag, noop!.name, noop!.args], ['a002', 'NOOP', []]);
  assert.deepEqual(select!.args.map(simplify), ['INBOX']);
  assert.deepEqual(search!.args.map(simplify), ['FLAGGED', 'SINCE', '1-Feb-1994', 'NOT', 'FROM', { q: 'Smith' }]);
  assert.deepEqual(fetch!.args.map(simplify), [
    '2:4',
    ['FLAGS', { section: 'BODY', spec: ['HEADER.FIELDS', ['DATE', 'FROM']], partial: null }],
  ]);
  assert.deepEqual(store!.args.map(simplify), ['2:4', '+FLAGS', ['\\Deleted']]);
  assert.equal(uid!.name, 'UID FETCH');
  assert.deepEqual(uid!.args.map(simplify), ['4827313:4828442', 'FLAGS']);
  assert.deepEqual(list!.args.map(simplify), ['~/Mail/', '%']);
  assert.deepEqual(login!.args.map(simplify), [
    { lit: 'FRED FOOBAR', binary: false },
    { lit: 'fat man', binary: false },
  ]);
  assert.deepEqual(append!.args.map(simplify), ['saved-messages', ['\\Seen'], { lit: 'Subject: x\r\n\r\nhello!\r\n', binary: false }]);
  assert.deepEqual(bfetch!.args.map(simplify), [
    '1',
    [
      { section: 'BODY.PEEK', spec: ['1.2.HEADER.FIELDS.NOT', [{ q: 'Received' }, 'X-Spam']], partial: { offset: 0, length: 2048 } },
      { section: 'BINARY.PEEK', spec: ['1'], partial: { offset: 10, length: 20 } },
      { section: 'BINARY.SIZE', spec: ['2'], partial: null },
    ],
  ]);
  assert.deepEqual(qlogin!.args.map(simplify), [{ q: 'quoted "user"' }, { q: 'p\\w' }]);
});

test('need-literal events: sync and non-sync, with tag and command name', () => {
  const evs = run(['A001 LOGIN {11}\r\n', 'FRED FOOBAR {7+}\r\nfat man\r\n']);
  assert.deepEqual(evs[0], { type: 'need-literal', tag: 'A001', name: 'LOGIN', size: 11, nonSync: false, binary: false });
  assert.deepEqual(evs[1], { type: 'need-literal', tag: 'A001', name: 'LOGIN', size: 7, nonSync: true, binary: false });
  assert.equal(cmd(evs[2]).args.length, 2);
  assert.equal(evs.length, 3);
});

test('resumable: every split point of a pipelined stream gives the same events', () => {
  const stream = Buffer.from(RFC_SESSION.join(''), 'utf8');
  const whole = JSON.stringify(run([stream]));
  for (let i = 1; i < stream.length; i++) {
    const got = JSON.stringify(run([stream.subarray(0, i), stream.subarray(i)]));
    assert.equal(got, whole, `split at byte ${i}`);
  }
  // and byte by byte
  const bytes: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) bytes.push(stream.subarray(i, i + 1));
  assert.equal(JSON.stringify(run(bytes)), whole);
});

test('literal data spread over many chunks is reassembled exactly (8-bit, CRLF inside)', () => {
  const body = Buffer.alloc(200_000);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
  const chunks: Buffer[] = [Buffer.from(`X APPEND INBOX {${body.length}+}\r\n`)];
  for (let i = 0; i < body.length; i += 4093) chunks.push(body.subarray(i, i + 4093));
  chunks.push(Buffer.from('\r\nY NOOP\r\n'));
  const evs = run(chunks);
  assert.equal(evs[0]!.type, 'need-literal');
  const c = cmd(evs[1]);
  const lit = c.args[1]!;
  assert.equal(lit.type, 'literal');
  assert.ok(lit.type === 'literal' && lit.value.equals(body));
  assert.equal(cmd(evs[2]).name, 'NOOP');
});

test('a literal inside one chunk is not copied (slice of the pushed buffer)', () => {
  const text = 'A APPEND INBOX {5}\r\nhello\r\n';
  const chunk = Buffer.alloc(text.length); // not from the shared pool: its ArrayBuffer is its own
  chunk.write(text, 'latin1');
  const r = new CommandReader();
  r.push(chunk);
  assert.equal(r.next()!.type, 'need-literal');
  const c = cmd(r.next() ?? undefined);
  const lit = c.args[1]!;
  assert.ok(lit.type === 'literal');
  assert.equal(lit.value.buffer, chunk.buffer);
});

test('a literal trickled in tiny pieces is reassembled exactly', () => {
  const size = 100_000;
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 13) & 0xff;
  const chunks: Buffer[] = [Buffer.from(`A APPEND INBOX {${size}+}\r\n`)];
  for (let i = 0; i < size; i += 7) chunks.push(data.subarray(i, i + 7));
  chunks.push(Buffer.from('\r\n'));
  const c = cmd(run(chunks)[1]);
  const lit = c.args[1]!;
  assert.ok(lit.type === 'literal' && lit.value.equals(data));
});

test('binary literal8 ~{n} with NUL bytes (RFC 3516)', () => {
  const data = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0, 255]);
  const evs = run([Buffer.from('A APPEND INBOX ~{7}\r\n'), data, Buffer.from('\r\n')]);
  assert.deepEqual(evs[0], { type: 'need-literal', tag: 'A', name: 'APPEND', size: 7, nonSync: false, binary: true });
  const lit = cmd(evs[1]).args[1]!;
  assert.ok(lit.type === 'literal' && lit.binary && lit.value.equals(data));
});

test('zero-length literal and MULTIAPPEND with several literals', () => {
  const evs = run(['A APPEND X {0}\r\n (\\Seen) {2+}\r\nab {1}\r\nc\r\n']);
  const c = cmd(evs.find((e) => e.type === 'command'));
  assert.deepEqual(c.args.map(simplify), [
    'X',
    { lit: '', binary: false },
    ['\\Seen'],
    { lit: 'ab', binary: false },
    { lit: 'c', binary: false },
  ]);
});

test('LITERAL-: non-sync literal over 4096 bytes → error, data skipped, stream resynchronised (RFC 7888 §5)', () => {
  const big = 'x'.repeat(5000);
  const evs = run([`A1 APPEND INBOX {5000+}\r\n${big}\r\nA2 NOOP\r\n`], { maxNonSyncLiteral: 4096 });
  assert.equal(evs.length, 2);
  assert.equal(evs[0]!.type, 'error');
  assert.ok(evs[0]!.type === 'error' && evs[0]!.code === 'nonsync-too-big' && evs[0]!.tag === 'A1' && !evs[0]!.fatal);
  assert.equal(cmd(evs[1]).tag, 'A2');
  // 4096 itself is fine
  const ok = run([`A1 APPEND INBOX {4096+}\r\n${'y'.repeat(4096)}\r\n`], { maxNonSyncLiteral: 4096 });
  assert.equal(cmd(ok[1]).name, 'APPEND');
});

test('literal over maxLiteralSize: sync → error and command dropped (client sends nothing)', () => {
  const evs = run(['A1 APPEND INBOX {2000}\r\n', 'A2 NOOP\r\n'], { maxLiteralSize: 1000 });
  assert.equal(evs[0]!.type, 'error');
  assert.ok(evs[0]!.type === 'error' && evs[0]!.code === 'literal-too-big' && evs[0]!.tag === 'A1' && !evs[0]!.fatal);
  assert.equal(cmd(evs[1]).tag, 'A2');
});

test('literal over maxLiteralSize: non-sync → fatal error, bytes skipped without buffering', () => {
  const r = new CommandReader({ maxLiteralSize: 1000 });
  r.push(Buffer.from('A1 APPEND INBOX {100000+}\r\n'));
  const e = r.next();
  assert.ok(e && e.type === 'error' && e.code === 'literal-too-big' && e.fatal);
  for (let i = 0; i < 100; i++) {
    r.push(Buffer.alloc(1000, 0x41));
    assert.equal(r.next(), null);
    assert.equal(r.buffered, 0);
  }
  r.push(Buffer.from('\r\nA2 NOOP\r\n'));
  assert.equal(cmd(r.next() ?? undefined).tag, 'A2');
});

test('maxCommandLiteralBytes bounds the literals of one command', () => {
  const evs = run(['A APPEND X {600}\r\n', 'x'.repeat(600), ' {600}\r\n', 'B NOOP\r\n'], {
    maxLiteralSize: 1000,
    maxCommandLiteralBytes: 1000,
  });
  assert.equal(evs[0]!.type, 'need-literal');
  assert.ok(evs[1]!.type === 'error' && evs[1]!.code === 'literal-too-big');
  assert.equal(cmd(evs[2]).tag, 'B');
});

test('a literal after an invalid tag: error without tag, sync dropped, non-sync skipped', () => {
  const evs = run(['+x APPEND {3}\r\n', 'A1 NOOP\r\n', '(y APPEND {3+}\r\nabc\r\n', 'A2 NOOP\r\n']);
  assert.equal(evs.length, 4);
  assert.ok(evs[0]!.type === 'error' && evs[0]!.tag === undefined && evs[0]!.code === 'syntax');
  assert.equal(cmd(evs[1]).tag, 'A1');
  assert.ok(evs[2]!.type === 'error' && evs[2]!.tag === undefined);
  assert.equal(cmd(evs[3]).tag, 'A2');
});

test('rejectLiteral(): sync drops the command; non-sync skips its data', () => {
  const r = new CommandReader();
  r.push(Buffer.from('A1 APPEND INBOX {10}\r\nA2 NOOP\r\n'));
  assert.equal(r.next()!.type, 'need-literal');
  r.rejectLiteral();
  assert.equal(cmd(r.next() ?? undefined).tag, 'A2');

  const r2 = new CommandReader();
  r2.push(Buffer.from('A1 APPEND INBOX {10+}\r\n0123456789 {3+}\r\nabc\r\nA2 NOOP\r\n'));
  assert.equal(r2.next()!.type, 'need-literal');
  r2.rejectLiteral();
  assert.equal(cmd(r2.next() ?? undefined).tag, 'A2');
  assert.equal(r2.next(), null);
});

test('oversize line → fatal error with tag, then the reader resynchronises', () => {
  const long = 'A1 SEARCH TEXT ' + 'x'.repeat(300) + '\r\nA2 NOOP\r\n';
  const evs = run([long], { maxLineLength: 100 });
  assert.ok(evs[0]!.type === 'error' && evs[0]!.code === 'line-too-long' && evs[0]!.fatal && evs[0]!.tag === 'A1');
  assert.equal(cmd(evs[1]).tag, 'A2');
  // arriving in pieces without LF: bounded buffering
  const r = new CommandReader({ maxLineLength: 100 });
  r.push(Buffer.from('A1 SEARCH TEXT '));
  assert.equal(r.next(), null);
  r.push(Buffer.alloc(200, 0x61));
  const e = r.next();
  assert.ok(e && e.type === 'error' && e.code === 'line-too-long');
  assert.equal(r.buffered, 0);
  r.push(Buffer.alloc(5000, 0x61));
  assert.equal(r.next(), null);
  assert.equal(r.buffered, 0);
  r.push(Buffer.from('zz\r\nA3 NOOP\r\n'));
  assert.equal(cmd(r.next() ?? undefined).tag, 'A3');
});

test('literal continuation lines count toward maxLineLength', () => {
  let s = 'A1 X';
  for (let i = 0; i < 30; i++) s += ' {1+}\r\nx';
  s += '\r\n';
  const evs = run([s], { maxLineLength: 100 });
  assert.ok(evs.some((e) => e.type === 'error' && e.code === 'line-too-long'));
});

test('garbage and syntax errors give error events and do not stop the reader', () => {
  const evs = run([
    '\x00\x01\x02 garbage\r\n',
    'A1 FETCH 1 (FLAGS\r\n',
    'A2 LOGIN "unterminated\r\n',
    '+bad NOOP\r\n',
    'A3 LOGIN "a\\x" b\r\n',
    'A4 FETCH 1 FLAGS)\r\n',
    'A5\r\n',
    'A6 NOOP\r\n',
  ]);
  const errs = evs.filter((e) => e.type === 'error');
  assert.equal(errs.length, 7);
  assert.equal(errs[0]!.type === 'error' && errs[0]!.tag, undefined);
  assert.equal(errs[1]!.type === 'error' && errs[1]!.tag, 'A1');
  assert.equal(errs[2]!.type === 'error' && errs[2]!.tag, 'A2');
  assert.equal(errs[3]!.type === 'error' && errs[3]!.tag, undefined);
  assert.equal(errs[4]!.type === 'error' && errs[4]!.tag, 'A3');
  assert.equal(errs[5]!.type === 'error' && errs[5]!.tag, 'A4');
  assert.equal(errs[6]!.type === 'error' && errs[6]!.tag, 'A5');
  assert.equal(cmd(evs[evs.length - 1]).tag, 'A6');
});

test('empty lines are ignored, bare LF line ends accepted, UTF-8 in quoted strings', () => {
  const evs = run(['\r\n\r\nA1 SELECT "Entwürfe"\nA2 NOOP\r\n']);
  assert.equal(evs.length, 2);
  assert.deepEqual(cmd(evs[0]).args, [{ type: 'quoted', value: 'Entwürfe' }]);
  assert.equal(cmd(evs[1]).name, 'NOOP');
});

test('nextLine(): AUTHENTICATE continuation and IDLE DONE are read raw', () => {
  const r = new CommandReader();
  r.push(Buffer.from('A1 AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\nA2 IDLE\r\nDONE\r\nA3 NOOP\r\n'));
  assert.equal(cmd(r.next() ?? undefined).name, 'AUTHENTICATE');
  assert.deepEqual(r.nextLine(), { type: 'line', line: Buffer.from('AGZyZWQAc2VjcmV0') });
  assert.equal(cmd(r.next() ?? undefined).name, 'IDLE');
  const l = r.nextLine();
  assert.ok(l && l.type === 'line' && l.line.toString() === 'DONE');
  assert.equal(cmd(r.next() ?? undefined).tag, 'A3');
  assert.equal(r.nextLine(), null);
  r.push(Buffer.from('DO'));
  assert.equal(r.nextLine(), null);
  r.push(Buffer.from('NE\r\n'));
  assert.ok(r.nextLine()!.type === 'line');
});

test('nextLine() bounds line length', () => {
  const r = new CommandReader({ maxLineLength: 50 });
  r.push(Buffer.alloc(100, 0x41));
  const e = r.nextLine();
  assert.ok(e && e.type === 'error' && e.code === 'line-too-long');
  r.push(Buffer.from('AAA\r\nDONE\r\n'));
  const l = r.nextLine();
  assert.ok(l && l.type === 'line' && l.line.toString() === 'DONE');
});

test('push() reports backpressure above the high-water mark', () => {
  const r = new CommandReader({ highWaterMark: 100 });
  assert.equal(r.push(Buffer.from('A1 NOOP\r\n')), true);
  assert.equal(r.push(Buffer.alloc(200, 0x41)), false);
});

test('parenthesis nesting is limited', () => {
  const deep = 'A1 X ' + '('.repeat(50) + ')'.repeat(50) + '\r\n';
  const evs = run([deep], { maxDepth: 10 });
  assert.ok(evs[0]!.type === 'error' && evs[0]!.code === 'syntax' && evs[0]!.tag === 'A1');
  assert.equal(cmd(run([deep], { maxDepth: 60 })[0]).args.length, 1);
});
