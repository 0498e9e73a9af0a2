/**
 * The run-time limits of a script (issue 14: actions per message, redirects, include depth,
 * CPU time per run; configured in [sieve], src/smtp/filter/context.ts): each one stops the
 * run with a SieveRuntimeError of kind "limit" or "cpu" (delivery then keeps the message in
 * INBOX: test/protocol/smtp/sieve.test.ts), and a script just inside the limit runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SieveRuntimeError } from '../../../src/sieve/index.js';
import { actions, msg, run } from './harness.js';

const M = msg('From: a@example.org\nTo: user@example.com\nSubject: hello');
const kind = (k: string) => (e: unknown) => e instanceof SieveRuntimeError && e.kind === k;

test('actions per message: maxActions of them run, one more stops the run', async () => {
  const fileintos = (n: number) => 'require ["fileinto", "copy"];\n' + Array.from({ length: n }, (_, i) => `fileinto :copy "Box${i}";`).join('\n');
  // n fileinto :copy plus the implicit keep
  assert.equal((await actions(fileintos(3), M, { limits: { maxActions: 4 } })).length, 4);
  await assert.rejects(run(fileintos(5), M, { limits: { maxActions: 4 } }), kind('limit'));
});

test('redirects per run: maxRedirects of them, one more stops the run', async () => {
  const redirects = (n: number) => 'require "copy";\n' + Array.from({ length: n }, (_, i) => `redirect :copy "r${i}@example.net";`).join('\n');
  assert.deepEqual(await actions(redirects(2), M, { limits: { maxRedirects: 2 } }), ['redirect:r0@example.net', 'redirect:r1@example.net', 'keep']);
  await assert.rejects(run(redirects(3), M, { limits: { maxRedirects: 2 } }), (e: unknown) => kind('limit')(e) && /more than 2 redirects/.test((e as Error).message));
});

test('include depth: a chain as deep as maxIncludeDepth runs, one level more stops the run', async () => {
  const scripts: Record<string, string> = { s3: 'require "fileinto"; fileinto "Deep";' };
  for (let i = 2; i >= 0; i--) scripts[`s${i}`] = `require "include"; include "s${i + 1}";`;
  assert.deepEqual(await actions('require "include"; include "s1";', M, { scripts, limits: { maxIncludeDepth: 3 } }), ['fileinto:Deep']);
  await assert.rejects(run('require "include"; include "s0";', M, { scripts, limits: { maxIncludeDepth: 3 } }), kind('limit'));
});

test('CPU time: a run over its budget stops with kind "cpu"; the same script within budget runs', async () => {
  // enough work to reach the runtime's CPU check (it looks every 2,000 units of work)
  const script = 'require "variables";\n' + Array.from({ length: 3000 }, (_, i) => `set "v${i % 10}" "value ${i}";`).join('\n') + '\nkeep;';
  assert.deepEqual(await actions(script, M, { limits: { cpuMs: 60_000 } }), ['keep']);
  await assert.rejects(run(script, M, { limits: { cpuMs: 0 } }), kind('cpu'));
});
