import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { defaultConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { Account, Store } from '../../../src/store/types.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

/** log lines written by the authenticator, to check content and the absence of passwords */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, log: createLogger(defaultConfig({ log: { level: 'debug' } }), { destination }) };
}

/** getAccount over a list; keyed state (app passwords, devices, failure counters) from a real memory store */
function fakeStore(accounts: Account[]) {
  const kv = createMemoryStore();
  return {
    getAccount: async (address: string) => accounts.find((a) => a.address === address) ?? null,
    kvGet: kv.kvGet.bind(kv),
    kvList: kv.kvList.bind(kv),
    kvSet: kv.kvSet.bind(kv),
    kvDelete: kv.kvDelete.bind(kv),
    kvAdd: kv.kvAdd.bind(kv),
  } satisfies Pick<Store, 'getAccount' | 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete' | 'kvAdd'>;
}

async function setup(limits: Record<string, number> = {}) {
  const config = defaultConfig({ limits });
  const { lines, log } = capture();
  let now = 1_000_000;
  const accounts: Account[] = [];
  const auth = createAuthenticator(fakeStore(accounts), config, log, { now: () => now });
  const add = async (address: string, password: string) =>
    accounts.push({ id: accounts.length + 1, address, passwordHash: await auth.hashPassword(password), quotaBytes: 0, pop3Policy: null, createdAt: new Date() });
  return { auth, lines, add, advance: (ms: number) => (now += ms) };
}

test('hashPassword makes argon2id PHC strings that differ per call', async () => {
  const { auth } = await setup();
  const a = await auth.hashPassword('pw');
  const b = await auth.hashPassword('pw');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b);
});

test('login: right password, case-insensitive address', async () => {
  const { auth, add } = await setup();
  await add('anna@example.org', 'correct horse');
  const r = await auth.login('Anna@Example.ORG', 'correct horse', '192.0.2.1');
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.account.address, 'anna@example.org');
});

test('login: wrong password and unknown user both answer invalid and log without the password', async () => {
  const { auth, add, lines } = await setup();
  await add('anna@example.org', 'correct horse');
  assert.deepEqual(await auth.login('anna@example.org', 'Tr0ub4dor&3', '192.0.2.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.login('nobody@example.org', 'Tr0ub4dor&3', '192.0.2.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.login('', 'x', '192.0.2.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.login('anna@example.org', '', '192.0.2.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.login('x'.repeat(5000) + '@example.org', 'pw', '192.0.2.1'), { ok: false, reason: 'invalid' });
  const text = lines.join('\n');
  assert.ok(!text.includes('Tr0ub4dor'), 'password must never be logged');
  assert.match(text, /wrong password/);
  assert.match(text, /no such account/);
  assert.match(text, /login name too long/);
  assert.ok(!text.includes('x'.repeat(400)), 'long names are cut in logs');
  assert.match(text, /nobody@example\.org/);
  assert.match(text, /192\.0\.2\.1/);
});

test('per-IP throttling: refused without verifying until the window passes, loopback included', async () => {
  const { auth, add, advance } = await setup({ failed_logins_per_ip: 3, failed_logins_per_account: 100, failed_login_window_s: 60 });
  await add('anna@example.org', 'pw');
  for (let i = 0; i < 3; i++) assert.equal((await auth.login(`u${i}@example.org`, 'x', '127.0.0.1')).ok, false);
  assert.deepEqual(await auth.login('anna@example.org', 'pw', '127.0.0.1'), { ok: false, reason: 'throttled' });
  assert.deepEqual(await auth.login('anna@example.org', 'pw', '::ffff:127.0.0.1'), { ok: false, reason: 'throttled' }, 'mapped IPv4 shares the counter');
  assert.equal((await auth.login('anna@example.org', 'pw', '127.0.0.2')).ok, true, 'other addresses unaffected');
  advance(61_000);
  assert.equal((await auth.login('anna@example.org', 'pw', '127.0.0.1')).ok, true);
});

test('per-account throttling counts per client address; success resets it', async () => {
  const { auth, add, advance, lines } = await setup({ failed_logins_per_ip: 100, failed_logins_per_account: 3, failed_login_window_s: 60 });
  await add('anna@example.org', 'pw');
  await auth.login('anna@example.org', 'bad', '192.0.2.1');
  await auth.login('anna@example.org', 'bad', '192.0.2.1');
  assert.equal((await auth.login('anna@example.org', 'pw', '192.0.2.1')).ok, true);
  for (let i = 0; i < 3; i++) await auth.login('anna@example.org', 'bad', '192.0.2.1');
  assert.deepEqual(await auth.login('ANNA@example.org', 'pw', '192.0.2.1'), { ok: false, reason: 'throttled' });
  assert.match(lines.join('\n'), /too many failed logins for account \W+anna@example\.org\W+ from 192\.0\.2\.1/);
  // guesses from one address do not lock the owner out elsewhere (issue 9)
  assert.equal((await auth.login('anna@example.org', 'pw', '198.51.100.1')).ok, true);
  advance(61_000); // the counters are exact to a sixtieth of the window (src/store/rate.ts)
  assert.equal((await auth.login('anna@example.org', 'pw', '192.0.2.1')).ok, true);
});

test('store failure answers temp', async () => {
  const config = defaultConfig();
  const { log } = capture();
  const auth = createAuthenticator({ ...fakeStore([]), getAccount: async () => { throw new Error('disk on fire'); } }, config, log);
  assert.deepEqual(await auth.login('a@b.c', 'pw', '192.0.2.1'), { ok: false, reason: 'temp' });
});

test('a corrupt stored hash is an invalid login and an operator-facing error', async () => {
  const { lines, log } = capture();
  const account = { id: 1, address: 'a@b.c', passwordHash: 'not-a-hash', quotaBytes: 0, pop3Policy: null, createdAt: new Date() };
  const auth = createAuthenticator(fakeStore([account]), defaultConfig(), log);
  assert.deepEqual(await auth.login('a@b.c', 'pw', '192.0.2.1'), { ok: false, reason: 'invalid' });
  assert.match(lines.join('\n'), /not a valid argon2/);
});

test('against the memory store: created account logs in, others do not', async () => {
  const store = createMemoryStore();
  const { log } = capture();
  const auth = createAuthenticator(store, defaultConfig(), log);
  await store.addDomain('example.net');
  await store.createAccount('bob@example.net', await auth.hashPassword('hunter2!'));
  const ok = await auth.login('BOB@example.net', 'hunter2!', '192.0.2.5');
  assert.equal(ok.ok && ok.account.address, 'bob@example.net');
  assert.deepEqual(await auth.login('bob@example.net', 'hunter3!', '192.0.2.5'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.login('bob', 'hunter2!', '192.0.2.5'), { ok: false, reason: 'invalid' }, 'full address required');
  await store.close();
});
