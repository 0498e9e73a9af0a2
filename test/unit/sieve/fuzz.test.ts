/**
 * Seeded, bounded fuzzing of the Sieve parser and checker: random bytes, mutations of
 * valid scripts and token soup. Nothing may escape but SieveError; a failure prints its
 * seed and input so it can be replayed. (The property-based target for `npm run fuzz` is
 * test/fuzz/targets/sieve.ts; this one stays as the quick, dependency-free check.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../helpers/random.js';
import { compileScript, runScript, SieveError, SieveRuntimeError } from '../../../src/sieve/index.js';
import { envFor, msg } from './harness.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const CASES_PER_SEED = 400;

const CORPUS = [
  'require ["fileinto", "variables", "imap4flags"];\nif header :matches "Subject" "*[*]*" { set "tag" "${2}"; fileinto :flags "\\\\Seen" "lists/${tag}"; }',
  'if anyof (address :domain :is "from" "example.com", size :over 10K, not exists "date") { discard; stop; } else { keep; }',
  'require ["relational", "comparator-i;ascii-numeric"]; if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" { discard; }',
  'require "vacation"; vacation :days 3 :subject "away" text:\nI am away.\n..\n.\n;',
  'require ["include", "variables"]; global "x"; include :optional :once "other"; return;',
  'require ["editheader", "date", "index"]; if date :index 1 :zone "+0100" "date" "year" "2026" { addheader :last "X-Year" "yes"; deleteheader :index 1 "received"; }',
];
const TOKENS = ['if', 'elsif', 'else', 'require', 'header', ':is', ':matches', ':contains', ':count', '"ge"', '"a"', '"*"', '[', ']', '(', ')', '{', '}', ',', ';', '10K', 'text:\n.\n', 'not', 'anyof', 'allof', 'true', 'keep', 'discard', 'fileinto', '"${1}"', '/*', '*/', '#', '\n', ' ', '"\\', ':index', '99999999999999999999'];

function mutate(s: string, rnd: () => number): string {
  const chars = [...s];
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (chars.length + 1));
    const op = rnd();
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, String.fromCharCode(Math.floor(rnd() * 128)));
    else chars.splice(at, 0, TOKENS[Math.floor(rnd() * TOKENS.length)]!);
  }
  return chars.join('');
}

function generate(rnd: () => number): string {
  const kind = rnd();
  if (kind < 0.2) return Array.from({ length: Math.floor(rnd() * 200) }, () => String.fromCharCode(Math.floor(rnd() * 0x3000))).join('');
  if (kind < 0.5) return Array.from({ length: Math.floor(rnd() * 40) }, () => TOKENS[Math.floor(rnd() * TOKENS.length)]).join(' ');
  return mutate(CORPUS[Math.floor(rnd() * CORPUS.length)]!, rnd);
}

test('the parser and checker throw nothing but SieveError (seeded)', () => {
  let valid = 0;
  for (const seed of SEEDS) {
    const rnd = seededRandom(seed);
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const src = generate(rnd);
      try {
        compileScript(src);
        valid++;
      } catch (e) {
        if (!(e instanceof SieveError)) assert.fail(`seed ${seed} case ${i}: ${(e as Error)?.stack}\ninput: ${JSON.stringify(src)}`);
        assert.ok(e.line >= 1 && e.column >= 1, `positions are 1-based: ${e.message}`);
      }
    }
  }
  assert.ok(valid > 0, 'some mutations stay valid, so the interpreter gets fuzzed too');
});

test('deep nesting is refused, not a stack overflow', () => {
  assert.throws(() => compileScript('if '.repeat(5000)), SieveError);
  assert.throws(() => compileScript('if true {'.repeat(5000)), SieveError);
  assert.throws(() => compileScript('if ' + 'not '.repeat(100000) + 'true {}'), SieveError);
});

test('valid mutated scripts run without escaping errors (seeded)', async () => {
  const m = msg('From: a@example.com\nSubject: [x] y\nDate: Sun, 1 Mar 2026 10:00:00 +0000\nReceived: from x; Sun, 1 Mar 2026 10:00:00 +0000');
  for (const seed of SEEDS.slice(0, 4)) {
    const rnd = seededRandom(seed * 101);
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const src = mutate(CORPUS[Math.floor(rnd() * CORPUS.length)]!, rnd);
      let script;
      try {
        script = compileScript(src);
      } catch {
        continue;
      }
      try {
        await runScript(script, envFor(m));
      } catch (e) {
        if (!(e instanceof SieveRuntimeError)) assert.fail(`seed ${seed} case ${i}: ${(e as Error)?.stack}\ninput: ${JSON.stringify(src)}`);
      }
    }
  }
});
