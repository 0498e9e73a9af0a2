/**
 * The contract of src/store/lease-types.ts (work shared by several processes), run against
 * every backend by memory.test.ts, sqlite.test.ts and postgres.test.ts. Backends that can
 * be opened twice on the same data (SQLite file, PostgreSQL database) also show that two
 * store instances never claim the same queue item or hold the same lease, and that the
 * shared rate counters (src/store/rate.ts: failed logins, SMTP message rates) add up
 * across them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../../src/store/types.js';
import { sharedCounter } from '../../../src/store/rate.js';
import { rawMessage } from './fixtures.js';

export type SharedStoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void>; second?: () => Promise<Store> }>;

export function leaseContract(name: string, factory: SharedStoreFactory): void {
  async function withStore(fn: (store: Store, second?: () => Promise<Store>) => Promise<void>): Promise<void> {
    const { store, cleanup, second } = await factory();
    try {
      await fn(store, second);
    } finally {
      await cleanup();
    }
  }
  const enqueue = (store: Store, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => store.enqueue({ from: 'a@example.test', recipients: [`r${i}@far.example`], raw: rawMessage(), accountId: null })));

  describe(`lease contract: ${name}`, () => {
    it('queue claims: exclusive, released by their holder only, free again when the lease runs out', () =>
      withStore(async (store) => {
        const items = await enqueue(store, 3);
        const t = new Date(Date.now() + 1000);
        const [a, b] = await Promise.all([store.claimQueueItems(t, 2, 'node-a', 60_000), store.claimQueueItems(t, 2, 'node-b', 60_000)]);
        const ids = [...a, ...b].map((i) => i.id).sort();
        assert.deepEqual(ids, items.map((i) => i.id).sort(), 'every due item claimed exactly once');
        assert.equal((await store.claimQueueItems(t, 10, 'node-c', 60_000)).length, 0, 'nothing left while the claims live');
        await store.releaseQueueItems(a.map((i) => i.id), 'node-b'); // not b's: nothing happens
        assert.equal((await store.claimQueueItems(t, 10, 'node-c', 60_000)).length, 0);
        await store.releaseQueueItems(a.map((i) => i.id), 'node-a');
        assert.deepEqual((await store.claimQueueItems(t, 10, 'node-c', 60_000)).map((i) => i.id).sort(), a.map((i) => i.id).sort());
        // node-b "died": its claims run out and another node takes them
        const later = new Date(t.getTime() + 61_000);
        assert.deepEqual((await store.claimQueueItems(later, 10, 'node-d', 60_000)).map((i) => i.id).sort(), ids);
        // a claim does not change what the queue reports, and a removed item is gone
        assert.equal((await store.listQueue()).length, 3);
        await store.removeQueueItem(items[0]!.id);
        assert.equal((await store.claimQueueItems(new Date(later.getTime() + 61_000), 10, 'node-e', 1000)).length, 2);
        // not yet due: not claimable
        const future = await store.enqueue({ from: '', recipients: ['x@far.example'], raw: rawMessage(), accountId: null });
        await store.updateQueueItem(future.id, { nextAttemptAt: new Date(Date.now() + 3600_000) });
        assert.ok(!(await store.claimQueueItems(new Date(), 10, 'node-f', 1000)).some((i) => i.id === future.id));
      }));

    it('leases: exclusive, renewable by the holder, free after release or expiry', () =>
      withStore(async (store) => {
        assert.equal(await store.acquireLease('pop3:1', 'sess-a', 60_000), true);
        assert.equal(await store.acquireLease('pop3:1', 'sess-b', 60_000), false);
        assert.equal(await store.acquireLease('pop3:2', 'sess-b', 60_000), true, 'another name is independent');
        assert.equal(await store.acquireLease('pop3:1', 'sess-a', 60_000), true, 'renewed');
        assert.equal(await store.releaseLease('pop3:1', 'sess-b'), false);
        assert.equal(await store.acquireLease('pop3:1', 'sess-b', 60_000), false);
        assert.equal(await store.releaseLease('pop3:1', 'sess-a'), true);
        assert.equal(await store.releaseLease('pop3:1', 'sess-a'), false, 'a second release frees nothing');
        assert.equal(await store.acquireLease('pop3:1', 'sess-b', 1), true);
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(await store.acquireLease('pop3:1', 'sess-c', 60_000), true, 'an expired lease is free');
      }));

    it('two store instances on the same data share claims and leases', async (t) => {
      const { store, cleanup, second } = await factory();
      try {
        if (!second) return t.skip(`${name}: one process only`);
        const other = await second();
        try {
          await enqueue(store, 20);
          const when = new Date(Date.now() + 1000);
          const claims = await Promise.all(
            Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimQueueItems(when, 4, `node-${i}`, 60_000)),
          );
          const ids = claims.flat().map((c) => c.id);
          assert.equal(ids.length, 20);
          assert.equal(new Set(ids).size, 20, 'no item claimed twice');
          const got = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).acquireLease('pop3:7', `s${i}`, 60_000)));
          assert.equal(got.filter(Boolean).length, 1, 'exactly one holder');
        } finally {
          await other.close();
        }
      } finally {
        await cleanup();
      }
    });

    it('shared rate counters: a sliding window over the keyed state, one count for every store instance', async () => {
      const { store, cleanup, second } = await factory();
      const other = second ? await second() : store;
      try {
        let now = 1_000_000_000;
        const a = sharedCounter(store, 'test.rate', 60_000, () => now);
        const b = sharedCounter(other, 'test.rate', 60_000, () => now);
        const hits = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).hit('192.0.2.1')));
        assert.equal(Math.max(...hits), 20, 'no concurrent hit lost');
        assert.equal(await a.count('192.0.2.1'), 20);
        assert.equal(await b.count('192.0.2.1'), 20, 'the other instance sees the same count');
        assert.equal(await b.count('192.0.2.2'), 0, 'keys are independent');
        assert.equal(await a.hit('bad\0name'), 1, 'a key with a NUL in it (a login name as typed) counts too');
        assert.equal(await b.count('bad\0name'), 1);
        now += 30_000;
        assert.equal(await b.hit('192.0.2.1'), 21, 'half a window later every hit still counts');
        now += 31_000;
        assert.equal(await a.count('192.0.2.1'), 1, 'the first hits left the window; the later one has not');
        await a.reset('192.0.2.1');
        assert.equal(await b.count('192.0.2.1'), 0, 'a reset by one instance holds for the other');
      } finally {
        if (other !== store) await other.close();
        await cleanup();
      }
    });
  });
}
