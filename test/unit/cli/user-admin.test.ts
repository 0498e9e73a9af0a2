/**
 * `letterbox user admin <address> [--revoke]` (issue 12: the admin console is for the
 * accounts marked admin this way): the role is what the web's admin check reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCli } from './harness.js';
import { isAdmin } from '../../../src/auth/roles.js';

test('user admin grants and --revoke takes back the admin console; unknown users are an error', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    assert.equal((await h.cli(['user', 'add', 'ann@example.test'], 'ann password 123\n')).code, 0);
    const ann = (await h.store.getAccount('ann@example.test'))!;
    assert.equal(await isAdmin(h.store, ann.id), false, 'not an administrator by default');

    let r = await h.cli(['user', 'admin', 'Ann@Example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ann@example\.test is now an administrator/);
    assert.equal(await isAdmin(h.store, ann.id), true);
    r = await h.cli(['user', 'admin', 'ann@example.test']);
    assert.match(r.stdout, /already an administrator/);

    r = await h.cli(['user', 'admin', '--revoke', 'ann@example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no longer an administrator/);
    assert.equal(await isAdmin(h.store, ann.id), false);

    r = await h.cli(['user', 'admin', 'nobody@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nobody@example\.test/);
  } finally {
    await h.close();
  }
});
