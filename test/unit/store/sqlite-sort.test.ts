/** SQLite sort rows: stored at append; bodies stored before the column existed get theirs on first use. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

it('sort keys are written at append, and filled in once for bodies that have none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-sort-'));
  try {
    let store = await openSqliteStore(dir);
    const a = await seedAccount(store);
    const inbox = await inboxId(store, a.id);
    await store.append(a.id, inbox, { raw: rawMessage({ subject: 'Re: one' }) });
    await store.append(a.id, inbox, { raw: rawMessage({ subject: 'two' }) });
    const before = await store.sortRows(a.id, inbox);
    await store.close();
    const db = new Database(join(dir, 'letterbox.db'));
    assert.equal((db.prepare('SELECT count(*) AS n FROM blob_sort_keys').get() as { n: number }).n, 2);
    db.prepare('DELETE FROM blob_sort_keys').run(); // as for bodies stored before sort keys existed
    db.close();
    store = await openSqliteStore(dir);
    assert.deepEqual(await store.sortRows(a.id, inbox), before);
    assert.deepEqual(before.map((r) => [r.subject, r.replyOrForward]), [['ONE', true], ['TWO', false]]);
    await store.close();
    const db2 = new Database(join(dir, 'letterbox.db'));
    assert.equal((db2.prepare('SELECT count(*) AS n FROM blob_sort_keys').get() as { n: number }).n, 2);
    db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
