import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThrottle } from '../../../src/auth/throttle.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { withTwoSqliteStores } from '../store/two-stores.js';

test('throttles at the limit; keys are independent; released once the window has passed', async () => {
  let now = 1_000_000;
  const t = createThrottle(createMemoryStore(), 't.fail', 3, 60_000, () => now);
  assert.equal(await t.isThrottled('a'), false);
  assert.equal(await t.fail('a'), 1);
  now += 10_000;
  await t.fail('a');
  assert.equal(await t.isThrottled('a'), false);
  assert.equal(await t.fail('a'), 3);
  assert.equal(await t.isThrottled('a'), true);
  assert.equal(await t.isThrottled('b'), false, 'keys are independent');
  now += 30_000;
  assert.equal(await t.isThrottled('a'), true, 'still inside the window');
  now += 21_000; // the first failure left the window (to within a sixtieth of it)
  assert.equal(await t.count('a'), 2);
  now += 40_000;
  assert.equal(await t.isThrottled('a'), false);
  assert.equal(await t.count('a'), 0);
});

test('reset forgets a key', async () => {
  const t = createThrottle(createMemoryStore(), 't.fail', 2, 60_000, () => 5_000_000);
  await t.fail('x');
  await t.fail('x');
  assert.equal(await t.isThrottled('x'), true);
  await t.reset('x');
  assert.equal(await t.isThrottled('x'), false);
  assert.equal(await t.count('x'), 0);
});

test('processes sharing a store share the counts (serve --workers, PostgreSQL nodes)', () =>
  withTwoSqliteStores(async (one, two) => {
    const a = createThrottle(one, 'auth.failed.ip', 4, 60_000);
    const b = createThrottle(two, 'auth.failed.ip', 4, 60_000);
    await Promise.all([a.fail('192.0.2.1'), b.fail('192.0.2.1'), a.fail('192.0.2.1')]);
    assert.equal(await b.isThrottled('192.0.2.1'), false);
    await b.fail('192.0.2.1');
    assert.equal(await a.isThrottled('192.0.2.1'), true, 'four failures through two processes reach the limit of four');
    await a.reset('192.0.2.1');
    assert.equal(await b.isThrottled('192.0.2.1'), false);
  }));
