/** The session's view of a selected mailbox (src/imap/session/selected.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('SelectedView.seqLookup answers as seqOf, with its table (dense UIDs) or without (sparse)', async () => {
  const { SelectedView } = await import('../../../src/imap/session/selected.js');
  const info = { id: 1, accountId: 1, name: 'INBOX', specialUse: null, subscribed: true, uidValidity: 7, uidNext: 1, highestModseq: 1 };
  const dense = Array.from({ length: 3000 }, (_, i) => i + 1).filter((u) => u % 5 !== 0);
  const sparse = Array.from({ length: 3000 }, (_, i) => i * 1000 + 1);
  for (const uids of [dense, sparse, [3, 9]]) {
    const v = new SelectedView(info, Uint32Array.from(uids), false, 'test');
    const look = v.seqLookup();
    for (const u of [0, 1, 2, 3, 5, 9, 10, 2999, 3000, 3001, 1001, 2998001, 5_000_000]) assert.equal(look(u), v.seqOf(u), `uid ${u} of ${uids.length}`);
  }
});

test('SelectedView \\Recent ranges: overlapping, adjacent and out-of-order claims count each message once', async () => {
  const { SelectedView } = await import('../../../src/imap/session/selected.js');
  const info = { id: 1, accountId: 1, name: 'INBOX', specialUse: null, subscribed: true, uidValidity: 7, uidNext: 1, highestModseq: 1 };
  const uids = [1, 2, 3, 5, 8, 9, 10, 12, 20, 21];
  const v = new SelectedView(info, Uint32Array.from(uids), false, 'test');
  assert.equal(v.recentCount(), 0);
  assert.equal(v.isRecent(1), false);
  v.addRecent(9, 8); // empty range: nothing
  assert.equal(v.recentCount(), 0);
  v.addRecent(8, 10);
  v.addRecent(9, 12); // overlaps the last range
  v.addRecent(2, 3); // below it
  v.addRecent(4, 5); // adjacent to 2:3
  v.addRecent(21, 2 ** 32); // beyond every UID (a claim's open end)
  const expected = uids.filter((u) => (u >= 2 && u <= 5) || (u >= 8 && u <= 12) || u >= 21);
  assert.deepEqual(uids.filter((u) => v.isRecent(u)), expected);
  assert.equal(v.recentCount(), expected.length);
  assert.equal(v.isRecent(7), false);
  assert.equal(v.isRecent(20), false);
});

test('SelectedView.uidSetToUids: whole-mailbox sets (copied at once) and the rest give the UIDs of the view in the set, ascending', async () => {
  const { SelectedView } = await import('../../../src/imap/session/selected.js');
  const info = { id: 1, accountId: 1, name: 'INBOX', specialUse: null, subscribed: true, uidValidity: 7, uidNext: 1, highestModseq: 1 };
  const uids = [3, 4, 7, 8, 9, 15, 40];
  const v = new SelectedView(info, Uint32Array.from(uids), false, 'test');
  const cases: Array<[number | '*', number | '*']> = [[1, '*'], ['*', 1], [3, 40], [40, 3], [4, '*'], [1, 39], [1, 4294967295], ['*', '*'], [8, 8], [41, '*'], [1, 2]];
  for (const [a, b] of cases) {
    const x = a === '*' ? 40 : a;
    const y = b === '*' ? 40 : b;
    const want = uids.filter((u) => u >= Math.min(x, y) && u <= Math.max(x, y));
    assert.deepEqual(v.uidSetToUids({ saved: false, ranges: [[a, b]] }), want, `${a}:${b}`);
  }
  const empty = new SelectedView(info, new Uint32Array(0), false, 'test');
  assert.deepEqual(empty.uidSetToUids({ saved: false, ranges: [[1, '*']] }), []);
});
