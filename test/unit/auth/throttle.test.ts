import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThrottle } from '../../../src/auth/throttle.js';

test('throttles at the limit and releases when the window passes', () => {
  let now = 1_000_000;
  const t = createThrottle(3, 60_000, () => now);
  assert.equal(t.isThrottled('a'), false);
  assert.equal(t.fail('a'), 1);
  now += 10_000;
  t.fail('a');
  assert.equal(t.isThrottled('a'), false);
  now += 10_000;
  assert.equal(t.fail('a'), 3);
  assert.equal(t.isThrottled('a'), true);
  assert.equal(t.isThrottled('b'), false, 'keys are independent');
  // first failure was at 1_000_000: it leaves the window at 1_060_000
  now = 1_059_999;
  assert.equal(t.isThrottled('a'), true);
  now = 1_060_000;
  assert.equal(t.isThrottled('a'), false);
  assert.equal(t.count('a'), 2);
  now = 1_080_001;
  assert.equal(t.count('a'), 0);
  assert.equal(t.size, 0, 'expired keys are dropped');
});

test('reset forgets a key', () => {
  const t = createThrottle(2, 60_000, () => 5);
  t.fail('x');
  t.fail('x');
  assert.equal(t.isThrottled('x'), true);
  t.reset('x');
  assert.equal(t.isThrottled('x'), false);
  assert.equal(t.count('x'), 0);
});

test('never keeps more than limit timestamps per key', () => {
  let now = 0;
  const t = createThrottle(2, 1000, () => now);
  for (let i = 0; i < 50; i++) t.fail('k');
  assert.equal(t.count('k'), 2);
  now = 1001;
  assert.equal(t.isThrottled('k'), false);
});
