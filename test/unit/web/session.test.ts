import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { SESSION_NS, createWebSession, endOtherWebSessions, readWebSession } from '../../../src/web/kit/session.js';

async function setup() {
  const store = createMemoryStore();
  await store.addDomain('example.test');
  const a = await store.createAccount('a@example.test', 'x');
  const b = await store.createAccount('b@example.test', 'x');
  return { store, a, b };
}

test('a sign-in is found by its cookie; the store holds only the token hash', async () => {
  const { store, a } = await setup();
  const { cookie, session } = await createWebSession(store, a.id, { credential: 'password', ip: '192.0.2.1', client: null }, 12);
  const token = cookie.split('.')[1]!;
  const entries = await store.kvList(SESSION_NS, a.id);
  assert.deepEqual(entries.map((e) => e.key), [createHash('sha256').update(token).digest('hex')]);
  assert.doesNotMatch(entries[0]!.value, new RegExp(token));
  assert.deepEqual(await readWebSession(store, cookie, 12), session);
});

test('malformed, foreign and ended cookies are no sign-in', async () => {
  const { store, a, b } = await setup();
  const { cookie } = await createWebSession(store, a.id, { credential: 'password', ip: '192.0.2.1', client: null }, 12);
  const token = cookie.split('.')[1]!;
  for (const bad of [undefined, '', 'x', `${a.id}`, `${a.id}.short`, `${a.id}.${token}x`, `-1.${token}`, `${b.id}.${token}`, `999.${token}`])
    assert.equal(await readWebSession(store, bad, 12), null, String(bad));
  const other = await createWebSession(store, a.id, { credential: 'password', ip: '192.0.2.2', client: null }, 12);
  assert.equal(await endOtherWebSessions(store, a.id, other.session.key), 1);
  assert.equal(await readWebSession(store, cookie, 12), null);
  assert.ok(await readWebSession(store, other.cookie, 12));
});
