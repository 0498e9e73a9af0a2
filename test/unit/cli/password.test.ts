import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readNewPassword } from '../../../src/cli/password.js';
import { setIo } from '../../../src/cli/io.js';
import { CliError } from '../../../src/cli/common.js';

/** a fake terminal: raw mode is recorded, input is typed after each prompt appears */
async function withTerminal(keystrokes: string[], fn: () => Promise<unknown>) {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.rawModes.push(mode);
      return stdin;
    },
  });
  let prompts = '';
  const restore = setIo({
    stdin,
    stderr: (t) => {
      prompts += t;
      if (t.endsWith(': ')) {
        const next = keystrokes.shift();
        if (next !== undefined) setImmediate(() => stdin.write(next));
      }
    },
  });
  try {
    const result = await fn().then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    return { result, prompts, rawModes: stdin.rawModes };
  } finally {
    restore();
  }
}

test('terminal: asked twice with echo off; backspace edits', async () => {
  const r = await withTerminal(['secreX\u007ft\r', 'secret\r'], () => readNewPassword({}));
  assert.deepEqual(r.result, { ok: true, v: 'secret' });
  assert.match(r.prompts, /New password: \nRepeat password: \n/);
  assert.doesNotMatch(r.prompts, /secret/, 'never echoed');
  assert.deepEqual(r.rawModes, [true, false, true, false]);
});

test('terminal: different answers or Ctrl-C change nothing', async () => {
  let r = await withTerminal(['one\r', 'two\r'], () => readNewPassword({}));
  assert.equal(r.result.ok, false);
  assert.ok(!r.result.ok && r.result.e instanceof CliError && /differ/.test(r.result.e.message));
  r = await withTerminal(['abc\u0003'], () => readNewPassword({}));
  assert.ok(!r.result.ok && r.result.e instanceof CliError && r.result.e.exitCode === 130);
  assert.deepEqual(r.rawModes, [true, false], 'the terminal is restored');
});

test('terminal: both answers typed ahead in one chunk', async () => {
  const r = await withTerminal(['pw1\rpw1\r'], () => readNewPassword({}));
  assert.deepEqual(r.result, { ok: true, v: 'pw1' });
});
