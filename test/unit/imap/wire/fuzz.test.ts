/**
 * Robustness: random and mutated input must never make the reader or a parser throw
 * anything but WireError (a crash would take the connection down with it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '../../../../src/imap/wire/index.js';
import * as args from '../../../../src/imap/wire/args/index.js';

const wire = { ...core, ...args };
import type { Token } from '../../../../src/imap/wire/index.js';
import { seededRandom } from '../../../helpers/random.js';


const WORDS = [
  'FETCH', 'UID', 'SEARCH', 'STORE', 'LIST', 'APPEND', 'SELECT', '1:*', '$', '*', '%', '(', ')', '"', '\\', '[', ']', '<', '>',
  'BODY[', 'BODY.PEEK[HEADER.FIELDS', 'BINARY[1]', '<0.10>', 'NIL', 'OR', 'NOT', 'CHARSET', 'UTF-8', 'RETURN', '(MIN)',
  '{3}\r\nabc', '{2+}\r\nxy', '~{1}\r\n\u0000', '+FLAGS', '\\Seen', 'FLAGS.SILENT', '(UNCHANGEDSINCE', '1-Feb-1994',
  '"17-Jul-1996 02:44:25 -0700"', '&U,BTFw-', '&', 'INBOX', 'QRESYNC', 'CONDSTORE', '(SUBSCRIBED)', 'RECURSIVEMATCH',
  ' ', ' ', ' ', '0', '4294967296', '99999999999999999999', '\u00ff', 'é',
];

const PARSERS: Array<(a: Token[]) => unknown> = [
  (a) => wire.parseFetchArgs(a, { uid: false }),
  (a) => wire.parseFetchArgs(a, { uid: true }),
  (a) => wire.parseSearchArgs(a),
  (a) => wire.parseStoreArgs(a),
  (a) => wire.parseStatusArgs(a, { utf8: false }),
  (a) => wire.parseListArgs(a, { utf8: false }),
  (a) => wire.parseListArgs(a, { utf8: true }),
  (a) => wire.parseLsubArgs(a, { utf8: false }),
  (a) => wire.parseAppendArgs(a, { utf8: false }),
  (a) => wire.parseSelectArgs(a, { utf8: false }),
  (a) => wire.parseCreateArgs(a, { utf8: false }),
  (a) => wire.parseRenameArgs(a, { utf8: false }),
  (a) => wire.parseCopyArgs(a, { utf8: false }),
  (a) => wire.parseMailboxArg(a, { utf8: false }),
  (a) => wire.parseLoginArgs(a),
  (a) => wire.parseAuthenticateArgs(a),
  (a) => wire.parseEnableArgs(a),
  (a) => wire.parseIdArgs(a),
  (a) => wire.parseUidExpungeArgs(a),
];

test('random token soup never crashes the reader or any parser', () => {
  const rnd = seededRandom(12345);
  let commands = 0;
  let parsed = 0;
  for (let round = 0; round < 3000; round++) {
    let line = `T${round} ${WORDS[Math.floor(rnd() * 7)]}`;
    const n = Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) line += (rnd() < 0.7 ? ' ' : '') + WORDS[Math.floor(rnd() * WORDS.length)];
    const r = new wire.CommandReader({ maxLineLength: 4096 });
    const bytes = Buffer.from(line + '\r\n', 'utf8');
    // feed in two random pieces
    const cut = Math.floor(rnd() * bytes.length);
    const evs: core.ReaderEvent[] = [];
    for (const piece of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      r.push(piece);
      for (let ev = r.next(); ev; ev = r.next()) evs.push(ev);
    }
    for (const ev of evs) {
      if (ev.type !== 'command') continue;
      commands++;
      for (const p of PARSERS) {
        try {
          p(ev.args);
          parsed++;
        } catch (e) {
          assert.ok(e instanceof wire.WireError, `${line}: ${(e as Error).stack}`);
        }
      }
    }
  }
  assert.ok(commands > 500, `only ${commands} commands tokenized`);
  assert.ok(parsed > 0);
});

test('random bytes never crash the reader and it keeps accepting commands afterwards', () => {
  const rnd = seededRandom(777);
  for (let round = 0; round < 300; round++) {
    const r = new wire.CommandReader({ maxLineLength: 512, maxLiteralSize: 2048 });
    const junk = Buffer.alloc(Math.floor(rnd() * 2000));
    for (let i = 0; i < junk.length; i++) junk[i] = rnd() < 0.1 ? 0x0a : rnd() < 0.05 ? 0x7b : Math.floor(rnd() * 256);
    r.push(junk);
    for (let ev = r.next(); ev; ev = r.next()) {
      if (ev.type === 'need-literal' && rnd() < 0.5) r.rejectLiteral();
    }
    // whatever state it is in, a fresh line plus a full literal's worth of bytes must resynchronise it
    r.push(Buffer.alloc(2100, 0x61));
    r.push(Buffer.from('\r\n\r\nZ1 NOOP\r\n'));
    const seen: string[] = [];
    for (let ev = r.next(); ev; ev = r.next()) if (ev.type === 'command') seen.push(ev.tag);
    assert.ok(seen.includes('Z1'), `round ${round}`);
  }
});

test('random strings through mUTF-7, dates, sequence sets and flags throw only WireError', () => {
  const rnd = seededRandom(99);
  const alphabet = '&-+,/AZaz09~\u00e9\u4e2d\ud83d\ude00 :*$%\\"()[]{}';
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 20);
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    for (const f of [wire.decodeMutf7, wire.parseDateTime, wire.parseSearchDate, wire.parseSequenceSet, wire.parseFlag]) {
      try {
        (f as (x: string) => unknown)(s);
      } catch (e) {
        assert.ok(e instanceof wire.WireError, `${JSON.stringify(s)}: ${(e as Error).message}`);
      }
    }
    const wellFormed = !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
    if (wellFormed) assert.equal(wire.decodeMutf7(wire.encodeMutf7(s)), s);
    assert.equal(typeof wire.listMatcher(s)('INBOX/x'), 'boolean');
  }
});
