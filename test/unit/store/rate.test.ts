import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUCKETS, sharedCounter, type CounterStore } from '../../../src/store/rate.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

test('a counter that remembers its settled slices counts what one reading every slice counts, and reads two entries per count within a slice', async () => {
  const store = createMemoryStore();
  let keysRead = 0;
  const counting: CounterStore = {
    kvGet: (ns, a, keys) => ((keysRead += keys.length), store.kvGet(ns, a, keys)),
    kvAdd: (...args) => store.kvAdd(...args),
    kvDelete: (...args) => store.kvDelete(...args),
  };
  let now = 1_000_000_000;
  const clock = () => now;
  const cached = sharedCounter(counting, 'test.rate', 60_000, clock, { settled: true });
  const plain = sharedCounter(store, 'test.rate', 60_000, clock);
  // another process adding to the same keys
  const other = sharedCounter(store, 'test.rate', 60_000, clock);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let step = 0; step < 400; step++) {
    const key = random() < 0.8 ? 'a' : 'b';
    const r = random();
    if (r < 0.4) await cached.add(key);
    else if (r < 0.7) await other.add(key);
    else now += Math.floor(random() * 3000); // up to three slices of a minute's window
    assert.equal(await cached.count(key), await plain.count(key), `step ${step}`);
  }
  now += 61_000;
  assert.equal(await cached.count('a'), 0, 'everything left the window');
  await cached.add('a');
  assert.equal(await cached.hit('a'), 2);
  keysRead = 0;
  for (let i = 0; i < 10; i++) await cached.count('a');
  assert.equal(keysRead, 20, `ten counts in one slice read two entries each, not ${BUCKETS + 1}`);
  await store.close();
});
