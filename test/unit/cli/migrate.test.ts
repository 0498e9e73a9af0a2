/**
 * `letterbox migrate --to postgres://…`: a SQLite store with every kind of state is copied
 * into a fresh PostgreSQL database, and everything a client sees is the same there: UIDs,
 * UIDVALIDITY, UIDNEXT, MODSEQs, flags, GUIDs (POP3 UIDLs), bytes, the expunge log,
 * POP3-retained messages, subscriptions, keyed state and the queue. A second migrate into
 * the same database is refused and changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../../src/cli/program.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import type { Store } from '../../../src/store/types.js';
import { createTestDatabase, havePostgres } from '../../helpers/pg-cluster.js';
import { rawMessage } from '../store/fixtures.js';

async function seed(store: Store): Promise<void> {
  await store.addDomain('example.test', { selector: 'lb1', privateKey: 'PEM' });
  await store.addAlias('postmaster@example.test', ['alice@example.test', 'ext@far.example']);
  const a = await store.createAccount('alice@example.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', { quotaBytes: 10_000_000 });
  const b = await store.createAccount('bob@example.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaB');
  await store.updateAccount(b.id, { pop3Policy: 'hide' });
  await store.createMailbox(a.id, 'Work/Projects');
  await store.setSubscribed(a.id, 'Work/Projects', true);
  const inbox = (await store.getMailbox(a.id, 'INBOX'))!;
  for (let i = 0; i < 30; i++) await store.append(a.id, inbox.id, { raw: rawMessage({ subject: `m${i}`, body: `body ${i}\u0000 with a NUL` }), flags: i % 3 ? [] : ['\\Seen', 'Work'] });
  await store.storeFlags(a.id, inbox.id, [[1, 10]], 'add', ['\\Deleted']);
  await store.expunge(a.id, inbox.id);
  const work = (await store.getMailbox(a.id, 'Work/Projects'))!;
  await store.copy(a.id, inbox.id, [[11, 15]], work.id);
  await store.claimRecent(a.id, inbox.id);
  await store.pop3Delete(a.id, [20, 21], 'retain', 30);
  await store.deliver([{ accountId: a.id }, { accountId: b.id }], rawMessage({ subject: 'to both' }));
  await store.kvSet('sieve.script', a.id, [{ key: 'main', value: 'keep;' }]);
  await store.kvSet('server.thing', null, [{ key: 'k', value: 'v', expiresAt: new Date(Date.now() + 3600_000) }]);
  await store.enqueue({ from: 'alice@example.test', recipients: ['x@far.example'], raw: rawMessage({ subject: 'queued' }), accountId: a.id });
}

/** everything a client or operator can see, as plain data */
async function view(store: Store): Promise<unknown> {
  const out: Record<string, unknown> = {};
  out.domains = (await store.listDomains()).map((d) => ({ ...d }));
  out.aliases = await store.listAliases();
  for (const acct of await store.listAccounts()) {
    const boxes = [];
    for (const m of await store.listMailboxes(acct.id)) {
      const st = await store.mailboxStatus(acct.id, m.id);
      const metas = await store.getMessages(acct.id, m.id, [[1, Infinity]]);
      const raws = await Promise.all(metas.map((x) => store.getRaw(acct.id, m.id, x.uid).then((r) => r.toString('base64'))));
      // sortRows: SORT/THREAD keys, PREVIEW and SAVEDATE come along
      const sort = await store.sortRows(acct.id, m.id);
      boxes.push({ ...st, metas, raws, sort, expunged: await store.expungedSince(acct.id, m.id, 0), snapshot: await store.snapshot(acct.id, m.id) });
    }
    out[acct.address] = {
      acct,
      boxes,
      subs: await store.listSubscriptions(acct.id),
      pop3: await store.pop3List(acct.id),
      retained: await store.listRetained(acct.id),
      used: await store.usedBytes(acct.id),
      kv: await store.kvList('sieve.script', acct.id),
    };
  }
  out.serverKv = await store.kvList('server.thing', null);
  const queue = await store.listQueue();
  out.queue = await Promise.all(queue.map(async (q) => ({ ...q, raw: (await store.getQueueRaw(q.id)).toString('base64') })));
  return JSON.parse(JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint32Array || v instanceof Float64Array ? [...v] : v)));
}

test('migrate --to postgres copies a SQLite store byte-exact', { skip: !havePostgres() && 'PostgreSQL not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-migrate-'));
  try {
    const dataDir = join(dir, 'data');
    const configFile = join(dir, 'letterbox.toml');
    writeFileSync(configFile, `data_dir = "${dataDir}"\n[log]\nlevel = "silent"\n`);
    const sqlite = await openSqliteStore(dataDir);
    await seed(sqlite);
    const before = await view(sqlite);
    await sqlite.close();

    const url = await createTestDatabase('migrate');
    const cli = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await run(['-c', configFile, ...argv], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: Readable.from([]) });
      return { code, stdout, stderr };
    };
    const r = await cli('migrate', '--to', url);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /copied 2 account\(s\), 14 mailbox\(es\), 25 message\(s\), 2 POP3-retained, 1 queued/);

    const pgStore = await openPostgresStore(url);
    try {
      assert.deepEqual(await view(pgStore), before);
      // new work continues the numbering: the next UID and MODSEQ follow the copied ones
      const alice = (await pgStore.getAccount('alice@example.test'))!;
      const inbox = (await pgStore.getMailbox(alice.id, 'INBOX'))!;
      const next = await pgStore.append(alice.id, inbox.id, { raw: rawMessage() });
      assert.equal(next.uid, inbox.uidNext);
      assert.equal(next.changes[0]!.modseq, inbox.highestModseq + 1);
      const mb = await pgStore.createMailbox(alice.id, 'After');
      assert.ok(mb[0]!.mailboxId > Math.max(...(await pgStore.listMailboxes(alice.id)).filter((m) => m.name !== 'After').map((m) => m.id)));
      assert.equal((await pgStore.pop3Restore(alice.id)), 2);
    } finally {
      await pgStore.close();
    }
    const again = await cli('migrate', '--to', url);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
