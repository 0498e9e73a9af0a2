/**
 * The IMAP command reader (src/imap/wire/reader.ts): any byte stream, cut anywhere,
 * driven as the session drives it (literals accepted or rejected, DONE lines pulled).
 * It never throws, every command it hands out has a valid tag and an upper-case name,
 * literals respect the size limits, and what it buffers stays bounded.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandReader } from '../../../src/imap/wire/reader.js';
import { isValidTag } from '../../../src/imap/wire/lexer.js';
import type { Token } from '../../../src/imap/wire/tokens.js';
import { defineTarget } from '../harness.js';
import { chunking, inChunks, mutated } from '../mutate.js';
import { IMAP_DICT, imapLine } from '../imap-vocab.js';

const LIMITS = { maxLineLength: 256, maxLiteralSize: 1024, maxCommandLiteralBytes: 2048, maxNonSyncLiteral: 4096, maxDepth: 8 };

function literalBytes(ts: readonly Token[]): number[] {
  const out: number[] = [];
  for (const t of ts) {
    if (t.type === 'literal') out.push(t.value.length);
    else if (t.type === 'list') out.push(...literalBytes(t.items));
    else if (t.type === 'section') out.push(...literalBytes(t.section));
  }
  return out;
}

const stream = fc
  .array(fc.tuple(fc.constantFrom('a', 'T1', '*', '', 'x'.repeat(300)), imapLine), { minLength: 1, maxLength: 6 })
  .map((cmds) => Buffer.from(cmds.map(([tag, line]) => `${tag} ${line}\r\n`).join(''), 'latin1'));

export default defineTarget({
  name: 'imap-reader',
  input: fc.record({ bytes: mutated(stream, IMAP_DICT, 6), cuts: chunking(), rejects: fc.array(fc.boolean(), { maxLength: 8 }), lines: fc.nat({ max: 3 }) }),
  check({ bytes, cuts, rejects, lines }) {
    const r = new CommandReader(LIMITS);
    let decisions = 0;
    for (const chunk of inChunks(bytes, cuts)) {
      r.push(chunk);
      for (let ev = r.next(); ev; ev = r.next()) {
        if (ev.type === 'command') {
          assert.ok(isValidTag(ev.tag), `tag ${JSON.stringify(ev.tag)}`);
          assert.equal(ev.name, ev.name.toUpperCase());
          const lits = literalBytes(ev.args);
          for (const n of lits) assert.ok(n <= LIMITS.maxLiteralSize, `literal of ${n} bytes`);
          assert.ok(lits.reduce((s, n) => s + n, 0) <= LIMITS.maxCommandLiteralBytes);
        } else if (ev.type === 'need-literal') {
          if (rejects[decisions++ % Math.max(1, rejects.length)]) r.rejectLiteral();
        }
      }
      // what stays buffered: at most a partial line, or a literal being received
      assert.ok(r.buffered <= LIMITS.maxLineLength + LIMITS.maxLiteralSize + 2 * 512, `buffered ${r.buffered}`);
    }
    // the session pulls raw lines (AUTHENTICATE data, IDLE DONE) only between commands
    for (let i = 0; i < lines && !r.inCommand; i++) r.nextLine();
  },
  quickRuns: 400,
});
