/**
 * Another connection (another process of `serve --workers`, the CLI) holds the SQLite write
 * lock: the store's commit waits for it without blocking its process, so reads are answered
 * meanwhile and the write goes through once the lock is released (committer.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

describe('sqlite write lock held by another connection', () => {
  it('a commit waits for the lock while the process keeps answering reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-wlock-'));
    const store = await openSqliteStore(dir);
    const other = new Database(join(dir, 'letterbox.db'));
    try {
      await store.kvSet('t', null, [{ key: 'a', value: 'before' }]);
      other.exec('BEGIN IMMEDIATE'); // the write lock, held by "another process"
      const events: string[] = [];
      const write = store.kvSet('t', null, [{ key: 'a', value: 'after' }]).then(
        () => events.push('write done'),
        (e: Error) => events.push(`write failed: ${e.message}`),
      );
      // a read (and a timer) are served while the write waits: the event loop is not held
      await new Promise((r) => setTimeout(r, 20));
      const seen = (await store.kvGet('t', null, ['a'])).get('a')?.value;
      events.push(`read ${seen}`);
      other.exec('COMMIT');
      await write;
      assert.deepEqual(events, ['read before', 'write done']);
      assert.equal((await store.kvGet('t', null, ['a'])).get('a')?.value, 'after');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
