import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUidl, Maildrop } from '../../../src/pop3/session/maildrop.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { holderIsGone, lockHolder, loginDelayRemaining, recordLogin, tryLockMaildrop } from '../../../src/pop3/session/lock.js';
import { spawnSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { MailboxInfo, Pop3Entry } from '../../../src/store/types.js';

const inbox = { id: 1, uidValidity: 0x5f3a1b2c } as MailboxInfo;
const entries: Pop3Entry[] = [
  { uid: 3, size: 10, pop3Size: 12, guid: 'g-3' },
  { uid: 7, size: 20, pop3Size: 20, guid: 'g-7' },
  { uid: 255, size: 30, pop3Size: 31, guid: 'g-255' },
];

test('maildrop: numbering, DELE marks, STAT excludes marked, RSET, deleted UIDs', () => {
  const d = new Maildrop(inbox, entries, 'guid');
  assert.equal(d.count, 3);
  assert.deepEqual(d.stat(), { count: 3, octets: 63 });
  assert.equal(d.entry(0), null);
  assert.equal(d.entry(4), null);
  assert.equal(d.entry(2)!.uid, 7);
  d.markDeleted(2);
  d.markDeleted(3);
  assert.ok(d.isDeleted(2));
  assert.deepEqual(d.stat(), { count: 1, octets: 12 });
  assert.deepEqual(d.visible().map((v) => v.n), [1]);
  assert.deepEqual(d.deletedUids(), [7, 255]);
  assert.equal(d.reset(), 2);
  assert.deepEqual(d.deletedUids(), []);
  assert.deepEqual(d.stat(), { count: 3, octets: 63 });
});

test('maildrop: RETR marks are UIDs ascending, taken once, without the deleted ones when asked, forgotten by RSET', () => {
  const d = new Maildrop(inbox, entries, 'guid');
  d.markRetrieved(3);
  d.markRetrieved(1);
  d.markRetrieved(3);
  assert.deepEqual(d.takeRetrievedUids(), [3, 255]);
  assert.deepEqual(d.takeRetrievedUids(), [], 'written once');
  d.markRetrieved(1);
  d.markRetrieved(2);
  d.markDeleted(2);
  assert.deepEqual(d.takeRetrievedUids(true), [3]);
  d.markRetrieved(2);
  d.reset();
  assert.deepEqual(d.takeRetrievedUids(), []);
});

test('UIDL formats: guid, and dovecot %08Xu%08Xv', () => {
  assert.equal(formatUidl(entries[0]!, inbox, 'guid'), 'g-3');
  assert.equal(formatUidl(entries[2]!, inbox, 'dovecot'), '000000FF5F3A1B2C');
  // characters outside 0x21..0x7E never reach the wire
  assert.equal(formatUidl({ ...entries[0]!, guid: 'a b\tc' }, inbox, 'guid'), 'abc');
});

test('maildrop lock: one holder per account and store; release is idempotent', async () => {
  const s1 = createMemoryStore();
  const s2 = createMemoryStore();
  const r = (await tryLockMaildrop(s1, 1))!;
  assert.ok(r);
  assert.equal(await tryLockMaildrop(s1, 1), null);
  assert.ok(await tryLockMaildrop(s1, 2));
  assert.ok(await tryLockMaildrop(s2, 1), 'another store is independent');
  await r();
  await r();
  const again = await tryLockMaildrop(s1, 1);
  assert.ok(again);
  await r();
  assert.equal(await tryLockMaildrop(s1, 1), null, 'a second release of the old holder did not free the new one');
  await again!();
});

test('maildrop lock: a lease whose process on this host has exited is taken over at once, a live one is not', async () => {
  const s = createMemoryStore();
  // a pid that existed and has exited
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    assert.ok(dead && live.pid);
    assert.equal(holderIsGone(lockHolder(dead)), true);
    assert.equal(holderIsGone(lockHolder(live.pid)), false);
    assert.equal(holderIsGone(lockHolder(process.pid)), false, 'this process is alive');
    assert.equal(holderIsGone(lockHolder(dead, 'another-host')), false, 'a process on another node is never judged from here');
    assert.equal(holderIsGone('12345-abcdef'), false, 'an unrecognised holder is left to run out');

    // the lease as a crashed POP3 session left it: held, its holder recorded
    const stale = lockHolder(dead);
    assert.ok(await s.acquireLease('pop3:7', stale, 60_000));
    await s.kvSet('pop3.lock', null, [{ key: '7', value: stale }]);
    const r = await tryLockMaildrop(s, 7);
    assert.ok(r, "the dead process's lease is released and taken");
    assert.equal(await tryLockMaildrop(s, 7), null, 'and the new holder is exclusive (this process is alive)');
    await r!();

    // a live holder elsewhere on this host keeps its lease
    const held = lockHolder(live.pid);
    assert.ok(await s.acquireLease('pop3:8', held, 60_000));
    await s.kvSet('pop3.lock', null, [{ key: '8', value: held }]);
    assert.equal(await tryLockMaildrop(s, 8), null);
  } finally {
    live.kill();
    await once(live, 'exit');
  }
});

test('LOGIN-DELAY bookkeeping', async () => {
  const s = createMemoryStore();
  await s.addDomain('example.test');
  const a = await s.createAccount('u@example.test', 'h');
  assert.equal(await loginDelayRemaining(s, a.id, 5, 1000), 0);
  await recordLogin(s, a.id, 1000);
  assert.equal(await loginDelayRemaining(s, a.id, 5, 1000 + 60_000), 4 * 60_000);
  assert.equal(await loginDelayRemaining(s, a.id, 5, 1000 + 5 * 60_000), 0);
  assert.equal(await loginDelayRemaining(s, a.id, 0, 1000), 0);
});
