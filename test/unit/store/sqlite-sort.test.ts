/** SQLite sort keys: typed rows written at append; a store from before the typed columns has them converted from JSON, or computed when missing. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { SORT_SCHEMA } from '../../../src/store/sqlite/sort-schema.js';
import { sortQuery } from '../../../src/store/sqlite/sort.js';
import { AnswerCache } from '../../../src/store/sqlite/sort-cache.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

it('sort keys are written at append; the migration converts JSON keys (migration 8) and computes missing ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-sort-'));
  try {
    let store = await openSqliteStore(dir);
    const a = await seedAccount(store);
    const inbox = await inboxId(store, a.id);
    await store.append(a.id, inbox, { raw: rawMessage({ subject: 'Re: one', extra: 'References: <r1@x> <r2@x>' }) });
    await store.append(a.id, inbox, { raw: rawMessage({ subject: 'two', body: 'A preview to keep.' }) });
    const before = await store.sortRows(a.id, inbox);
    assert.deepEqual(before.map((r) => [r.subject, r.replyOrForward, r.references]), [['ONE', true, ['r1@x', 'r2@x']], ['TWO', false, []]]);
    assert.equal(before[1]!.preview, 'A preview to keep.');
    await store.close();
    // the store as migration 8 left it: JSON keys for the first body only, none for the second
    const db = new Database(join(dir, 'letterbox.db'));
    assert.equal(db.prepare('SELECT count(*) FROM blob_sort').pluck().get(), 2);
    assert.equal(db.prepare('SELECT count(*) FROM blob_preview').pluck().get(), 2);
    db.exec(`CREATE TABLE blob_sort_keys (blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE, keys TEXT NOT NULL)`);
    const first = before[0]!;
    const blobId = db.prepare('SELECT blob_id FROM messages WHERE uid = ?').pluck().get(first.uid) as number;
    const { uid: _u, internalDate: _i, size: _s, saveDate: _d, ...keys } = first;
    db.prepare('INSERT INTO blob_sort_keys VALUES (?, ?)').run(blobId, JSON.stringify(keys));
    const version = MIGRATIONS.find((m) => m.sql === SORT_SCHEMA)!.version;
    db.exec('DROP TABLE blob_sort; DROP TABLE blob_preview');
    // (and every later version, replayed after it)
    db.prepare('DELETE FROM schema_migrations WHERE version >= ?').run(version);
    db.close();
    store = await openSqliteStore(dir);
    assert.deepEqual(await store.sortRows(a.id, inbox), before);
    assert.deepEqual(await store.sortUids(a.id, inbox, [{ key: 'SUBJECT', reverse: true }]), [before[1]!.uid, before[0]!.uid]);
    await store.close();
    const db2 = new Database(join(dir, 'letterbox.db'));
    assert.equal(db2.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'blob_sort_keys'").pluck().get(), 0, 'the JSON rows are gone');
    assert.equal(db2.prepare('SELECT count(*) FROM blob_sort').pluck().get(), 2);
    db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('SORT queries: one ORDER BY term per key (a repeated key is dropped), UID last and ascending, the body table only when needed', () => {
  assert.equal(sortQuery([{ key: 'ARRIVAL', reverse: true }]), 'SELECT m.uid FROM messages m WHERE m.mailbox_id = ? ORDER BY m.internal_date DESC, m.uid');
  assert.match(
    sortQuery([{ key: 'DATE', reverse: false }, { key: 'SUBJECT', reverse: true }, { key: 'DATE', reverse: true }]),
    / JOIN blob_sort s ON s\.blob_id = m\.blob_id .* ORDER BY coalesce\(s\.sent_date, m\.internal_date\), s\.subject DESC, m\.uid$/,
  );
});

it('kept SORT and THREAD answers notice what another process changed (two stores on one database)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-sort-'));
  const a = await openSqliteStore(dir);
  try {
    const acct = await seedAccount(a);
    const inbox = await inboxId(a, acct.id);
    await a.append(acct.id, inbox, { raw: rawMessage({ subject: 'b' }) });
    const bySubject = [{ key: 'SUBJECT' as const, reverse: false }];
    assert.deepEqual(await a.sortUids(acct.id, inbox, bySubject), [1]);
    assert.equal((await a.threadRows(acct.id, inbox)).length, 1);
    const b = await openSqliteStore(dir);
    try {
      await b.append(acct.id, inbox, { raw: rawMessage({ subject: 'a' }) });
      assert.deepEqual(await a.sortUids(acct.id, inbox, bySubject), [2, 1], "the other store's message is in");
      assert.deepEqual((await a.threadRows(acct.id, inbox)).map((t) => t.uid), [1, 2]);
      await b.storeFlags(acct.id, inbox, [[2, 2]], 'add', ['\\Deleted']);
      await b.expunge(acct.id, inbox);
      assert.deepEqual(await a.sortUids(acct.id, inbox, bySubject), [1], 'and out again');
      assert.deepEqual((await a.threadRows(acct.id, inbox)).map((t) => t.uid), [1]);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the answer cache holds at most its entries and weight, least recently used out first; a changed stamp is a miss', () => {
  const c = new AnswerCache<number[]>(3, 10, (v) => v.length);
  c.set('a', 's1', [1, 2]);
  c.set('b', 's1', [1, 2, 3]);
  c.set('c', 's1', [1]);
  assert.deepEqual(c.get('a', 's1'), [1, 2]); // a is now the most recent
  c.set('d', 's1', [1]); // four entries: b (least recent) goes
  assert.equal(c.get('b', 's1'), undefined);
  assert.deepEqual(c.size, { entries: 3, weight: 4 });
  c.set('e', 's1', [1, 2, 3, 4, 5, 6, 7]); // weight 11 > 10: c (then more) go
  assert.ok(c.size.weight <= 10 && c.size.entries <= 3);
  assert.deepEqual(c.get('e', 's1')?.length, 7);
  assert.equal(c.get('e', 's2'), undefined, 'another stamp: recomputed');
  assert.equal(c.get('e', 's1'), undefined, 'and the stale entry is gone');
  c.set('huge', 's1', new Array(11).fill(0));
  assert.equal(c.get('huge', 's1'), undefined, 'heavier than the whole budget: not kept');
});
