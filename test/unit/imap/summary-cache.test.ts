/** The parsed-summary cache of FETCH (src/imap/commands/summary-cache.ts): bounded by text size, one per store. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SummaryCache, summaryCacheOf } from '../../../src/imap/commands/summary-cache.js';

const summary = (n: number) => ({ e: `(envelope ${n})` });

describe('imap summary cache', () => {
  it('holds what it was given, by key, until full', () => {
    const c = new SummaryCache(1000);
    for (let k = 1; k <= 10; k++) c.set(k, summary(k), 100);
    assert.equal(c.count, 10);
    assert.equal(c.chars, 1000);
    for (let k = 1; k <= 10; k++) assert.deepEqual(c.get(k), summary(k));
    assert.equal(c.has(11), false);
    assert.equal(c.get(11), undefined);
    // a key is never given a second summary (the store's keys stand for one body forever)
    c.set(3, summary(99), 100);
    assert.deepEqual(c.get(3), summary(3));
  });

  it('never holds more than its bound; when full, every 8th newcomer replaces the oldest entries', () => {
    const c = new SummaryCache(1000);
    for (let k = 1; k <= 10; k++) c.set(k, summary(k), 100);
    for (let k = 11; k <= 17; k++) c.set(k, summary(k), 100);
    assert.equal(c.count, 10, 'seven newcomers turned away');
    assert.equal(c.has(11), false);
    c.set(18, summary(18), 250);
    assert.ok(c.chars <= 1000, `${c.chars} characters held`);
    assert.equal(c.has(18), true);
    assert.deepEqual([1, 2, 3].map((k) => c.has(k)), [false, false, false], 'the oldest made room');
    assert.equal(c.has(4), true);
    for (let k = 100; k < 10_000; k++) {
      c.set(k, summary(k), 1 + (k % 300));
      assert.ok(c.chars <= 1000);
    }
    // larger than the whole cache: not kept
    const big = new SummaryCache(50);
    big.set(1, summary(1), 51);
    assert.equal(big.count, 0);
  });

  it('one cache per store: keys of two stores are unrelated', () => {
    const a = {};
    const b = {};
    summaryCacheOf(a).set(1, summary(1), 10);
    assert.equal(summaryCacheOf(a).has(1), true);
    assert.equal(summaryCacheOf(b).has(1), false);
    assert.equal(summaryCacheOf(a), summaryCacheOf(a));
  });
});
