/**
 * Group commit when the disk fills up (issue 9 item 8): SQLITE_FULL rolls back the whole
 * transaction, not one savepoint. Every caller must then hear of a failure and nothing of
 * the batch may be stored; before the fix, the jobs after the failing one committed one by
 * one (autocommit) while their callers were told the batch failed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCommitter } from '../../../src/store/sqlite/committer.js';
import { StoreError } from '../../../src/store/types.js';

function withDb(fn: (db: Database.Database) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-committer-'));
  const db = new Database(join(dir, 'x.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (n INTEGER, x BLOB); CREATE TABLE log (n INTEGER)');
  return fn(db).finally(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

describe('sqlite group commit on a full disk', () => {
  it('fails every job of a batch whose transaction SQLITE_FULL rolled back, and stores none of them', () =>
    withDb(async (db) => {
      // room for a few small rows, not for the large one
      db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 20}`);
      const ins = db.prepare('INSERT INTO t VALUES (?, ?)');
      const rec = db.prepare('INSERT INTO log VALUES (?)');
      const c = createCommitter(db, { record: () => rec.run(0), publish: () => {} });
      const sizes = [1000, 1000, 400_000, 1000, 1000, 1000];
      const results = await Promise.allSettled(
        sizes.map((size, n) =>
          c.submit(() => {
            ins.run(n, Buffer.alloc(size));
            return { value: n, changes: [] };
          }),
        ),
      );
      const stored = (db.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).map((r) => r.n);
      const told = results.map((r) => (r.status === 'fulfilled' ? 'ok' : 'failed'));
      // whatever the outcome, a caller told ok has its row and a caller told failed has none
      for (let n = 0; n < sizes.length; n++) assert.equal(stored.includes(n), told[n] === 'ok', `job ${n}: told ${told[n]}, stored: ${stored.join(',')}`);
      assert.equal(told[2], 'failed');
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof StoreError && r.reason.code === 'TEMP', String(r.reason));
      // the committer keeps working once there is room again
      db.pragma('max_page_count = 1000000');
      assert.equal(await c.submit(() => (ins.run(99, Buffer.alloc(10)), { value: 'again', changes: [] })), 'again');
      assert.ok((db.prepare('SELECT n FROM t').all() as Array<{ n: number }>).some((r) => r.n === 99));
    }));
});

describe('sqlite group commit: background upkeep', () => {
  it('a background job (full-text indexing) never shares a transaction with callers’ jobs and is counted apart', () =>
    withDb(async (db) => {
      const ins = db.prepare('INSERT INTO t VALUES (?, NULL)');
      const c = createCommitter(db, { record: () => {}, publish: () => {} });
      const job = (n: number) => () => {
        ins.run(n);
        return { value: n, changes: [] };
      };
      // submitted in one tick: caller, caller, background, background, caller
      const all = await Promise.all([
        c.submit(job(1)),
        c.submit(job(2)),
        c.submit(job(3), { durable: false, background: true }),
        c.submit(job(4), { durable: false, background: true }),
        c.submit(job(5)),
      ]);
      assert.deepEqual(all, [1, 2, 3, 4, 5]);
      const s = c.stats();
      assert.equal(s.commits, 2, 'jobs 1–2, then job 5: two transactions for callers');
      assert.equal(s.jobs, 3);
      assert.equal(s.backgroundCommits, 1, 'jobs 3–4 together, in a transaction of their own');
      assert.deepEqual((db.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).map((r) => r.n), [1, 2, 3, 4, 5]);
    }));
});

describe('sqlite group commit: jobs arriving during a sync', () => {
  it('wait for the running sync and then commit together, each answered only after a sync that followed its commit', () =>
    withDb(async (db) => {
      const ins = db.prepare('INSERT INTO t VALUES (?, NULL)');
      const syncs: Array<(err?: Error) => void> = [];
      const c = createCommitter(db, { record: () => {}, publish: () => {}, sync: (done) => syncs.push(done) });
      const answered: number[] = [];
      const job = (n: number) => c.submit(() => (ins.run(n), { value: n, changes: [] })).then((v) => answered.push(v));
      const tick = () => new Promise((r) => setImmediate(r));
      const a = job(1);
      await tick();
      assert.equal(c.stats().commits, 1);
      assert.equal(syncs.length, 1, 'the first commit is being synced');
      // two more, in different ticks (as two connections' APPENDs arrive), while that sync runs
      const b = job(2);
      await tick();
      const d = job(3);
      await tick();
      assert.equal(c.stats().commits, 1, 'held while the sync runs');
      assert.deepEqual(answered, []);
      syncs[0]!();
      await a;
      assert.deepEqual(answered, [1]);
      assert.equal(c.stats().commits, 2, 'jobs 2 and 3 in one transaction');
      assert.equal(syncs.length, 2);
      await tick();
      assert.deepEqual(answered, [1], 'not answered before their own sync');
      syncs[1]!();
      await Promise.all([b, d]);
      assert.deepEqual(answered, [1, 2, 3]);
      assert.deepEqual((db.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).map((r) => r.n), [1, 2, 3]);
    }));
});
