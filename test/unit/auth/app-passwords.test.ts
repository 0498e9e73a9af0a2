import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { APP_PASSWORD_NS, AppPasswordError, MAX_APP_PASSWORDS, appPasswordCandidates, createAppPassword, listAppPasswords, normaliseAppPassword, revokeAppPassword } from '../../../src/auth/app-passwords.js';

const fakeHash = async (pw: string) => `hash:${pw}`;

test('app passwords: 16 letters shown in groups, typed with or without spaces', async () => {
  assert.equal(normaliseAppPassword('abcd efgh ijkl mnop'), 'abcdefghijklmnop');
  assert.equal(normaliseAppPassword('ABCD-EFGH-IJKL-MNOP'), 'abcdefghijklmnop');
  for (const bad of ['', 'abcd efgh ijkl mno', 'abcd efgh ijkl mnop q', 'abcd1fgh ijkl mnop', 'correct horse battery']) assert.equal(normaliseAppPassword(bad), null, bad);
});

test('app passwords are per account, named, limited to known protocols, counted and revocable', async () => {
  const store = createMemoryStore();
  await store.addDomain('example.test');
  const a = await store.createAccount('a@example.test', 'x');
  const b = await store.createAccount('b@example.test', 'x');
  const made = await createAppPassword(store, a.id, { name: '  Phone   mail ', protocols: ['imap', 'smtp', 'bogus' as never] }, fakeHash);
  assert.match(made.password, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
  const [p] = await listAppPasswords(store, a.id);
  assert.deepEqual({ name: p!.name, protocols: p!.protocols }, { name: 'Phone mail', protocols: ['imap', 'smtp'] });
  const candidates = await appPasswordCandidates(store, a.id, normaliseAppPassword(made.password)!);
  assert.deepEqual(candidates.map((c) => c.hash), [`hash:${normaliseAppPassword(made.password)}`]);
  assert.deepEqual(await appPasswordCandidates(store, b.id, normaliseAppPassword(made.password)!), []);
  await assert.rejects(createAppPassword(store, a.id, { name: '', protocols: ['imap'] }, fakeHash), AppPasswordError);
  await assert.rejects(createAppPassword(store, a.id, { name: 'x', protocols: [] }, fakeHash), AppPasswordError);
  assert.equal(await revokeAppPassword(store, b.id, p!.id), false);
  for (let i = 1; i < MAX_APP_PASSWORDS; i++) await createAppPassword(store, a.id, { name: `d${i}`, protocols: ['imap'] }, fakeHash);
  await assert.rejects(createAppPassword(store, a.id, { name: 'one too many', protocols: ['imap'] }, fakeHash), /at most/);
  assert.equal(await revokeAppPassword(store, a.id, p!.id), true);
  assert.equal((await listAppPasswords(store, a.id)).length, MAX_APP_PASSWORDS - 1);
});

test('app passwords for ManageSieve; an entry stored before that protocol existed keeps its own list', async () => {
  const store = createMemoryStore();
  await store.addDomain('example.test');
  const a = await store.createAccount('a@example.test', 'x');
  // as stored by a release whose protocols were imap, pop3, smtp and web
  const old = { name: 'old phone', protocols: ['imap', 'pop3', 'smtp'], hash: 'hash:x', tag: 'abcd', createdAt: '2026-01-02T03:04:05.000Z' };
  await store.kvSet(APP_PASSWORD_NS, a.id, [{ key: 'aaaaaaaaaaaa', value: JSON.stringify(old) }]);
  await createAppPassword(store, a.id, { name: 'filters', protocols: ['managesieve'] }, fakeHash);
  const byName = new Map((await listAppPasswords(store, a.id)).map((p) => [p.name, p]));
  assert.deepEqual(byName.get('old phone')?.protocols, ['imap', 'pop3', 'smtp'], 'an old entry parses and gains no protocol');
  assert.equal(byName.get('old phone')?.createdAt.toISOString(), old.createdAt);
  assert.deepEqual(byName.get('filters')?.protocols, ['managesieve']);
});
