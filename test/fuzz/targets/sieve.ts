/**
 * The Sieve parser and checker (src/sieve: compileScript), and the interpreter on what
 * compiles: any text, from mutations of real scripts (every extension) and generated token
 * soup, is a compiled script or a SieveError with a 1-based line and column; a compiled
 * script runs to actions or a SieveRuntimeError. Nothing else escapes.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexMessage } from '../../../src/mime/index.js';
import { compileScript, runScript, DEFAULT_LIMITS, SieveError, SieveRuntimeError, type SieveEnvironment } from '../../../src/sieve/index.js';
import { defineTarget } from '../harness.js';
import { mutated } from '../mutate.js';

const SEEDS = [
  'require ["fileinto", "variables", "imap4flags"];\nif header :matches "Subject" "*[*]*" { set "tag" "${2}"; fileinto :flags "\\\\Seen" "lists/${tag}"; }',
  'if anyof (address :domain :is "from" "example.com", size :over 10K, not exists "date") { discard; stop; } else { keep; }',
  'require ["relational", "comparator-i;ascii-numeric", "envelope", "subaddress"]; if allof (header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5", envelope :detail "to" "x") { discard; }',
  'require "vacation"; vacation :days 3 :subject "away" text:\nI am away.\n..\n.\n;',
  'require ["include", "variables"]; global "x"; include :optional :once "other"; return;',
  'require ["editheader", "date", "index", "body", "encoded-character"]; if date :index 1 :zone "+0100" "date" "year" "2026" { addheader :last "X-Year" "${hex:41}"; deleteheader :index 1 "x-a"; } if body :text :contains "x" { stop; }',
  'require ["duplicate", "spamtestplus", "relational", "mailbox", "mailboxid", "fileinto", "copy", "reject"]; if duplicate :seconds 60 { discard; } elsif spamtest :percent :value "gt" "50" { fileinto :create :copy "Junk"; } else { reject "no"; }',
].map((s) => Buffer.from(s));
const WORDS = ['if', 'elsif', 'else', 'require', 'header', ':is', ':matches', ':contains', ':count', '"ge"', '"a"', '"*"', '[', ']', '(', ')', '{', '}', ',', ';', '10K', 'text:\n', '\n.\n', 'not', 'anyof', 'allof', 'true', 'keep', 'discard', 'fileinto', '"${1}"', '/*', '*/', '#', '\n', ' ', '"\\', ':index', '99999999999999999999', '"${hex:', '"${unicode:'];
const soup = fc.array(fc.constantFrom(...WORDS), { maxLength: 40 }).map((w) => Buffer.from(w.join(' ')));

const MESSAGE = Buffer.from('From: a@example.com\r\nTo: user@example.com\r\nSubject: [x] y\r\nDate: Sun, 1 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nbody x\r\n');

function env(): SieveEnvironment {
  return {
    message: { raw: MESSAGE, index: () => indexMessage(MESSAGE) },
    envelope: { from: 'a@example.com', to: 'user+x@example.com' },
    user: 'user@example.com',
    mailboxes: () => [{ name: 'INBOX', id: 'M1' }],
    now: () => new Date('2026-03-01T12:00:00Z'),
    spam: { junk: false, score: 3, threshold: 6 },
    seenDuplicate: () => false,
    loadScript: () => null,
    limits: { ...DEFAULT_LIMITS, cpuMs: 200 },
  };
}

export default defineTarget({
  name: 'sieve',
  input: mutated(fc.oneof(fc.constantFrom(...SEEDS), soup), WORDS, 6),
  async check(bytes) {
    let script;
    try {
      script = compileScript(bytes.toString('utf8'));
    } catch (e) {
      assert.ok(e instanceof SieveError, `not a SieveError: ${(e as Error)?.stack ?? String(e)}`);
      assert.ok(e.line >= 1 && e.column >= 1, `positions are 1-based: ${e.message}`);
      return;
    }
    try {
      const r = await runScript(script, env());
      assert.ok(Array.isArray(r.actions));
    } catch (e) {
      assert.ok(e instanceof SieveRuntimeError, `not a SieveRuntimeError: ${(e as Error)?.stack ?? String(e)}`);
    }
  },
  regressions: [Buffer.from('if '.repeat(5000)), Buffer.from('if ' + 'not '.repeat(100000) + 'true {}')],
  quickRuns: 300,
});
