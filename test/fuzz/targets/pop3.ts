/**
 * POP3 command parsing: the pure line splitter and command-line parser for any bytes cut
 * anywhere (lines never hold CR or LF, never exceed the limit, an over-long line is
 * reported once), and the real POP3 session over a socket for mutated command sequences
 * (every reply is +OK/-ERR or a multi-line body, the server stays healthy).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, parseCommandLine } from '../../../src/pop3/wire/lines.js';
import { parseNumber } from '../../../src/pop3/commands/args.js';
import type { Fixture } from '../../robustness/harness.js';
import { defineTarget } from '../harness.js';
import { chunking, inChunks, mutated } from '../mutate.js';
import { converse, FUZZ_PASS, FUZZ_USER, sessionFixture } from '../session.js';

const MAX = 64;
const command = fc.constantFrom(
  `USER ${FUZZ_USER}`, `PASS ${FUZZ_PASS}`, 'PASS wrong', 'STAT', 'LIST', 'LIST 1', 'LIST 0', 'LIST 99999999999999999999', 'RETR 1', 'RETR -1', 'TOP 1 0', 'TOP 1 999999', 'TOP 1',
  'DELE 1', 'UIDL', 'UIDL 1', 'RSET', 'NOOP', 'CAPA', 'STLS', 'AUTH', 'AUTH PLAIN', `AUTH PLAIN ${Buffer.from(`\0${FUZZ_USER}\0${FUZZ_PASS}`).toString('base64')}`, '*', 'APOP x y', 'QUIT', 'USER', '',
);
const script = fc.array(command, { minLength: 1, maxLength: 10 }).map((cs) => Buffer.from(cs.join('\r\n') + '\r\n'));

export default defineTarget<{ bytes: Buffer; cuts: number[]; socket: boolean }, Fixture>({
  name: 'pop3',
  input: fc.record({ bytes: mutated(script, ['\r\n', '\n', '\r', ' ', '\0', '\xff', '1', '-', 'x'.repeat(100)], 5), cuts: chunking(), socket: fc.boolean() }),
  setup: sessionFixture,
  async teardown(f) {
    await f.close();
  },
  async check({ bytes, cuts, socket }, f) {
    const s = new LineSplitter(MAX);
    let tooLongOpen = false;
    for (const piece of inChunks(bytes, cuts))
      for (const ev of s.push(piece)) {
        if (ev.kind === 'too-long') {
          assert.ok(!tooLongOpen, 'an over-long line is reported once');
          tooLongOpen = true;
          continue;
        }
        tooLongOpen = false;
        assert.ok(!/[\r\n]/.test(ev.line.replace(/\r/g, '')) && !ev.line.includes('\n'), `line holds a line break: ${JSON.stringify(ev.line)}`);
        assert.ok(Buffer.byteLength(ev.line, 'latin1') <= MAX, `line of ${ev.line.length}`);
        const c = parseCommandLine(ev.line);
        assert.equal(c.keyword, c.keyword.toUpperCase());
        for (const a of c.args) {
          const n = parseNumber(a);
          assert.ok(n === null || (Number.isSafeInteger(n) && n >= 0), `parseNumber(${a}) = ${n}`);
        }
      }
    if (!socket) return;
    const text = await converse(f.pop3Port, bytes, cuts);
    assert.match(text, /^\+OK/, 'greeting');
    await f.assertHealthy();
  },
  quickRuns: 60,
});
