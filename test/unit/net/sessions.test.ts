/** The live-session registry (src/net/sessions.ts) over the memory store's change bus. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createSessionRegistry } from '../../../src/net/sessions.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

const log = pino({ level: 'silent' });

async function setup() {
  const store = createMemoryStore();
  await store.addDomain('example.test');
  const alice = await store.createAccount('alice@example.test', 'hash-a');
  const bob = await store.createAccount('bob@example.test', 'hash-b');
  const reg = createSessionRegistry(store, log);
  const closed: Array<[string, string]> = [];
  const open = (id: string, protocol: 'imap' | 'pop3' | 'submission' = 'imap') =>
    reg.register({ id, protocol, listener: protocol, remoteAddress: '192.0.2.1' }, (reason) => closed.push([id, reason]));
  return { store, alice, bob, reg, closed, open };
}

const settle = () => new Promise((r) => setImmediate(r));

test('sessions register, authenticate, list per account, and unregister when they end', async () => {
  const { alice, bob, reg, open } = await setup();
  const a1 = open('a1');
  const a2 = open('a2', 'pop3');
  const b1 = open('b1', 'submission');
  const anon = open('anon');
  a1.authenticated(alice);
  a2.authenticated(alice, 'app-7');
  b1.authenticated(bob);
  a1.setClientName('Thunderbird 128\r\n');
  assert.equal(reg.size, 4);
  const list = reg.list(alice.id);
  assert.deepEqual(list.map((s) => [s.id, s.protocol, s.user, s.credential]), [
    ['a1', 'imap', 'alice@example.test', 'password'],
    ['a2', 'pop3', 'alice@example.test', 'app-7'],
  ]);
  assert.equal(list[0]!.clientName, 'Thunderbird 128??', 'control characters never reach the listing');
  assert.equal(reg.list().length, 4);
  a1.end();
  a1.end();
  anon.end();
  assert.equal(reg.size, 2);
  assert.deepEqual(reg.list(alice.id).map((s) => s.id), ['a2']);
  a2.end();
  b1.end();
  assert.equal(reg.size, 0);
  await settle();
});

test('closeAccount ends the sessions of one account, sparing one session or keeping to one credential', async () => {
  const { alice, bob, reg, closed, open } = await setup();
  for (const id of ['a1', 'a2', 'a3']) open(id).authenticated(alice, id === 'a3' ? 'app-1' : undefined);
  open('b1').authenticated(bob);
  await settle();
  closed.length = 0;
  assert.equal(reg.closeAccount(alice.id, { reason: 'app password revoked', credential: 'app-1' }), 1);
  assert.deepEqual(closed, [['a3', 'app password revoked']]);
  assert.equal(reg.closeAccount(alice.id, { reason: 'signed out elsewhere', except: 'a2' }), 1);
  assert.deepEqual(closed.at(-1), ['a1', 'signed out elsewhere']);
  assert.deepEqual(reg.list(alice.id).map((s) => s.id), ['a2']);
  assert.deepEqual(reg.list(bob.id).map((s) => s.id), ['b1'], "bob's session is untouched");
});

test('removing an account or changing its password ends its sessions through the store (origin spared)', async () => {
  const { store, alice, bob, reg, closed, open } = await setup();
  open('a1').authenticated(alice);
  open('a2').authenticated(alice);
  open('b1').authenticated(bob);
  await settle();
  await store.updateAccount(alice.id, { quotaBytes: 1000 });
  assert.deepEqual(closed, [], 'a quota change ends nothing');
  await store.updateAccount(alice.id, { passwordHash: 'hash-a2' }, { origin: 'a2' });
  assert.deepEqual(closed, [['a1', 'password changed']]);
  await store.deleteAccount(alice.id);
  assert.deepEqual(closed, [['a1', 'password changed'], ['a2', 'account removed']]);
  assert.deepEqual(reg.list().map((s) => s.id), ['b1']);
});

test('a login that raced with a removal or a password change is closed right after it registers', async () => {
  const { store, alice, bob, closed, open } = await setup();
  const stale = { ...alice };
  await store.updateAccount(alice.id, { passwordHash: 'hash-new' });
  open('a1').authenticated(stale);
  open('a2').authenticated(stale, 'app-3'); // an app password does not depend on the account password
  const staleBob = { ...bob };
  await store.deleteAccount(bob.id);
  open('b1').authenticated(staleBob);
  await settle();
  await settle();
  assert.deepEqual(closed.sort(), [['a1', 'password changed'], ['b1', 'account removed']]);
});

test('a session that leaves its login (UNAUTHENTICATE) is no longer listed under the account nor closed by its changes', async () => {
  const { store, alice, bob, reg, closed, open } = await setup();
  const s = open('s');
  const other = open('a2');
  other.authenticated(alice);
  s.authenticated(alice);
  await settle();
  s.unauthenticated();
  assert.deepEqual(reg.list(alice.id).map((x) => x.id), ['a2']);
  const mine = reg.list().find((x) => x.id === 's')!;
  assert.deepEqual([mine.accountId, mine.user, mine.credential], [null, null, null], 'still connected, as nobody');
  await store.updateAccount(alice.id, { passwordHash: 'hash-a2' });
  assert.deepEqual(closed, [['a2', 'password changed']], "alice's password change ends only her remaining session");
  // logged in again as bob: listed there, and bob's changes reach it
  s.authenticated(bob);
  assert.deepEqual(reg.list(bob.id).map((x) => x.id), ['s']);
  assert.equal(reg.closeAccount(alice.id, { reason: 'signed out' }), 0);
  await store.deleteAccount(bob.id);
  assert.deepEqual(closed.at(-1), ['s', 'account removed']);
});

test('a recheck of an earlier login does not close the session that logged in again since', async () => {
  const { store, alice, bob, closed, open } = await setup();
  const stale = { ...alice };
  await store.updateAccount(alice.id, { passwordHash: 'hash-new' });
  const s = open('s');
  s.authenticated(stale); // its recheck (password changed) is in flight…
  s.unauthenticated(); // …when the client leaves that login
  s.authenticated(bob);
  await settle();
  await settle();
  assert.deepEqual(closed, [], 'the stale login is gone; the session is bob’s now');
});
