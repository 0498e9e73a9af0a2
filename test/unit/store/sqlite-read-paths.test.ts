/** SQLite read paths used by SELECT/FETCH of large mailboxes: they agree with getMessages. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

it('getFlags and snapshot keywords match getMessages, across UID ranges with holes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-sqlite-'));
  const store = await openSqliteStore(dir);
  try {
    const a = await seedAccount(store);
    const inbox = await inboxId(store, a.id);
    const flagSets = [[], ['\\Seen'], ['\\Seen', '$Forwarded'], ['Work "x"'], ['\\Flagged', '\\Deleted']];
    await store.appendMany(
      a.id,
      inbox,
      Array.from({ length: 25 }, (_, i) => ({ raw: rawMessage({ subject: `m${i}` }), flags: flagSets[i % flagSets.length] })),
    );
    await store.storeFlags(a.id, inbox, [[3, 6]], 'add', ['$Label1']);
    await store.expunge(a.id, inbox, [[20, 25]]);
    const set: Array<number | [number, number]> = [1, [4, 9], [12, Infinity]];
    const full = await store.getMessages(a.id, inbox, set);
    const light = await store.getFlags!(a.id, inbox, set);
    assert.deepEqual(
      light,
      full.map((m) => ({ uid: m.uid, modseq: m.modseq, flags: m.flags })),
    );
    assert.ok(light.some((m) => m.flags.includes('$Label1')), 'the seeded keywords are there');
    assert.deepEqual(await store.getFlags!(a.id, inbox, [[100, 200]]), []);
    const snap = await store.snapshot(a.id, inbox);
    const all = await store.getMessages(a.id, inbox, [[1, Infinity]]);
    const keywords = new Set(all.flatMap((m) => m.flags.filter((f) => !f.startsWith('\\'))));
    assert.deepEqual(new Set(snap.keywords), keywords);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
