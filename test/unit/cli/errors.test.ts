import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, reportError, storeErrorMessage } from '../../../src/cli/common.js';
import { setIo } from '../../../src/cli/io.js';
import { ConfigError } from '../../../src/config/load.js';
import { StoreError } from '../../../src/store/types.js';

function capture(e: unknown): { code: number; stderr: string } {
  let stderr = '';
  const restore = setIo({ stderr: (t) => void (stderr += t) });
  try {
    return { code: reportError(e), stderr };
  } finally {
    restore();
  }
}

test('store errors: the store message, plus a remedy where there is one', () => {
  assert.equal(storeErrorMessage(new StoreError('ALREADYEXISTS', 'user a@b.test already exists')), 'user a@b.test already exists');
  assert.match(storeErrorMessage(new StoreError('TEMP', 'database is locked')), /^database is locked \(the store is busy .*try again/);
  const r = capture(new StoreError('NOPERM', 'domain b.test is still used by 1 account(s)'));
  assert.deepEqual(r, { code: 1, stderr: 'letterbox: domain b.test is still used by 1 account(s)\n' });
});

test('CLI, config and unexpected errors: one line each, no stack trace unless LETTERBOX_DEBUG', () => {
  assert.deepEqual(capture(new CliError('nope')), { code: 1, stderr: 'letterbox: nope\n' });
  assert.deepEqual(capture(new CliError('cancelled', 130)), { code: 130, stderr: 'letterbox: cancelled\n' });
  assert.deepEqual(capture(new ConfigError('/x.toml', ['a.b: bad'])), { code: 1, stderr: '/x.toml: a.b: bad\n' });
  const saved = process.env.LETTERBOX_DEBUG;
  delete process.env.LETTERBOX_DEBUG;
  try {
    const r = capture(new TypeError('boom'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^letterbox: unexpected error: boom\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    if (saved !== undefined) process.env.LETTERBOX_DEBUG = saved;
  }
});
