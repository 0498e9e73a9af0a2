import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createVerifiedCache } from '../../../src/auth/cache.js';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { defaultConfig } from '../../../src/config/schema.js';

test('verified-login cache: hit only for the same password, stored hash and within the TTL', () => {
  let t = 1000;
  const c = createVerifiedCache(60_000, () => t);
  assert.equal(c.hit('a@x.test', 'phc1', 'pw'), false);
  c.remember('a@x.test', 'phc1', 'pw');
  assert.equal(c.hit('a@x.test', 'phc1', 'pw'), true);
  assert.equal(c.hit('a@x.test', 'phc1', 'other'), false, 'another password is no hit');
  assert.equal(c.hit('b@x.test', 'phc1', 'pw'), false, 'another user is no hit');
  assert.equal(c.hit('a@x.test', 'phc2', 'pw'), false, 'a changed stored hash invalidates');
  c.remember('a@x.test', 'phc1', 'pw');
  t += 60_001;
  assert.equal(c.hit('a@x.test', 'phc1', 'pw'), false, 'expired');
});

test('verified-login cache: TTL 0 disables it; size is bounded', () => {
  const off = createVerifiedCache(0);
  off.remember('a@x.test', 'p', 'pw');
  assert.equal(off.hit('a@x.test', 'p', 'pw'), false);
  const small = createVerifiedCache(60_000, Date.now, 2);
  small.remember('a', 'p', '1');
  small.remember('b', 'p', '2');
  small.remember('c', 'p', '3');
  assert.equal(small.hit('a', 'p', '1'), false, 'oldest entry evicted');
  assert.equal(small.hit('c', 'p', '3'), true);
});

test('authenticator: a password change takes effect at once despite the cache', async () => {
  const store = createMemoryStore();
  const auth = createAuthenticator(store, defaultConfig(), pino({ level: 'silent' }));
  await store.addDomain('x.test');
  const acc = await store.createAccount('a@x.test', await auth.hashPassword('old-secret'));
  assert.equal((await auth.login('a@x.test', 'old-secret', '127.0.0.1')).ok, true);
  assert.equal((await auth.login('a@x.test', 'old-secret', '127.0.0.1')).ok, true, 'cached login');
  await store.updateAccount(acc.id, { passwordHash: await auth.hashPassword('new-secret') });
  assert.equal((await auth.login('a@x.test', 'old-secret', '127.0.0.1')).ok, false);
  assert.equal((await auth.login('a@x.test', 'new-secret', '127.0.0.1')).ok, true);
  await store.close();
});
