/**
 * Revoking an app password ends the sessions that logged in with it in every process: the
 * revocation announces a `credential-revoked` change with its commit, and a session registry
 * on another store instance on the same data (another `serve --workers` process, another
 * node) closes them, while the account's other sessions stay open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../../../src/auth/app-passwords.js';
import { createSessionRegistry, PASSWORD_CREDENTIAL } from '../../../src/net/sessions.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/types.js';
import { havePostgres } from '../../helpers/pg-cluster.js';
import { withTwoPostgresStores, withTwoSqliteStores } from '../store/two-stores.js';

const fakeHash = async (p: string) => `hash:${p}`;

async function until(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

/** `revoker` revokes; the sessions live in a registry over `holder` */
async function check(revoker: Store, holder: Store): Promise<void> {
  await revoker.addDomain('example.test');
  const alice = await revoker.createAccount('alice@example.test', 'x');
  const bob = await revoker.createAccount('bob@example.test', 'x');
  await createAppPassword(revoker, alice.id, { name: 'phone', protocols: ['imap'] }, fakeHash);
  await createAppPassword(revoker, alice.id, { name: 'laptop', protocols: ['imap'] }, fakeHash);
  const [laptop, phone] = (await listAppPasswords(revoker, alice.id)).sort((a, b) => a.name.localeCompare(b.name));
  const reg = createSessionRegistry(holder, pino({ level: 'silent' }));
  const closed: Array<[string, string]> = [];
  const open = (id: string, account: typeof alice, credential: string) =>
    reg.register({ id, protocol: 'imap', listener: 'imap', remoteAddress: '192.0.2.1' }, (reason) => closed.push([id, reason])).authenticated(account, credential);
  open('phone', alice, phone!.id);
  open('laptop', alice, laptop!.id);
  open('password', alice, PASSWORD_CREDENTIAL);
  open('bob', bob, phone!.id); // the same id under another account names nothing of alice's
  await new Promise((r) => setImmediate(r));
  // PostgreSQL: the registry's subscription starts the LISTEN connection; wait until it is up
  await (holder as Store & { feedIdle?: () => Promise<void> }).feedIdle?.();
  assert.equal(await revokeAppPassword(revoker, alice.id, 'password'), false, 'the account password is not an app password');
  assert.equal(await revokeAppPassword(revoker, bob.id, phone!.id), false, "another account's app password");
  assert.equal(await revokeAppPassword(revoker, alice.id, phone!.id), true);
  await until(() => closed.length > 0);
  await new Promise((r) => setTimeout(r, 100)); // anything else would have arrived with it
  assert.deepEqual(closed, [['phone', 'credential revoked']]);
  assert.deepEqual(reg.list(alice.id).map((s) => s.id).sort(), ['laptop', 'password']);
  assert.equal(await revokeAppPassword(revoker, alice.id, phone!.id), false, 'already revoked');
}

test('memory: revoking an app password ends its sessions', async () => {
  const s = createMemoryStore();
  await check(s, s);
});

test('sqlite: a revocation in one process ends the sessions held by another on the same data', () => withTwoSqliteStores(check));

test('postgres: a revocation on one node ends the sessions held by another', { skip: !havePostgres() && 'PostgreSQL not installed' }, () =>
  withTwoPostgresStores('revoke', check),
);
