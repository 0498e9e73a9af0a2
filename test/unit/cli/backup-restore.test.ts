/**
 * backup → restore → verify on the SQLite store with every feature in use (domains with
 * DKIM keys, accounts with quotas and POP3 policies, aliases and a catch-all, nested and
 * renamed mailboxes, subscriptions, flags and keywords, expunged UIDs, POP3-retained
 * messages, queued mail, keyed state per account and server-wide), taken while the store
 * is open and being written: the restored store is the same byte for byte through the
 * contract, `verify` passes on it and on the backup file itself, and verify catches
 * damage (changed bytes, broken invariants) with exit status 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { run } from '../../../src/cli/program.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { Store } from '../../../src/store/types.js';
import { dumpStore } from '../../helpers/store-dump.js';

const KV_NS = ['test.sieve', 'test.devices', 'test.server'];

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: Readable.from([]) });
  return { code, stdout, stderr };
}

function home(root: string, name: string): string[] {
  const file = join(root, `${name}.toml`);
  writeFileSync(file, `data_dir = "${name}-data"\n[log]\nlevel = "silent"\n`);
  return ['-c', file];
}

function msg(n: number, extra = ''): Buffer {
  return Buffer.from(
    `From: sender${n}@remote.test\r\nTo: a@one.test\r\nSubject: message ${n}\r\nMessage-ID: <${n}@remote.test>\r\n${extra}` +
      `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b${n}\r\n\r\n--b${n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `h\u00e9llo ${n}\r\n--b${n}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${Buffer.from(`payload ${n}`.repeat(n + 1)).toString('base64')}\r\n--b${n}--\r\n`,
  );
}

async function seedEverything(store: Store): Promise<void> {
  await store.addDomain('one.test', { selector: 'lb202601', privateKey: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' });
  await store.addDomain('two.test');
  const a = await store.createAccount('a@one.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', { quotaBytes: 50_000_000 });
  const b = await store.createAccount('b@two.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdDI$aGFzaDI');
  await store.updateAccount(b.id, { pop3Policy: 'retain' });
  await store.addAlias('postmaster@one.test', ['a@one.test']);
  await store.addAlias('@two.test', ['b@two.test', 'outside@elsewhere.test']);
  await store.createMailbox(a.id, 'Projects/2026/Q1');
  await store.createMailbox(a.id, 'Old');
  await store.renameMailbox(a.id, 'Old', 'Archive/Old');
  await store.setSubscribed(a.id, 'Projects/2026/Q1', true);
  await store.setSubscribed(a.id, 'Gone', true);
  const inbox = (await store.getMailbox(a.id, 'INBOX'))!.id;
  const q1 = (await store.getMailbox(a.id, 'Projects/2026/Q1'))!.id;
  for (let i = 0; i < 12; i++) await store.append(a.id, inbox, { raw: msg(i), flags: i % 3 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2025, 0, i + 1, 8)) });
  await store.storeFlags(a.id, inbox, [[1, 4]], 'add', ['\\Flagged', '$Label1', 'Work']);
  await store.storeFlags(a.id, inbox, [5, 6], 'add', ['\\Deleted']);
  await store.expunge(a.id, inbox);
  await store.move(a.id, inbox, [[7, 8]], q1);
  await store.copy(a.id, inbox, [1], q1);
  await store.appendMany(a.id, q1, [{ raw: msg(20, 'X-Bare: lf\n') }, { raw: msg(21), flags: ['\\Answered', '\\Draft'] }]);
  // deliveries to two accounts share a body
  await store.deliver([{ accountId: a.id }, { accountId: b.id }], msg(30));
  const bInbox = (await store.getMailbox(b.id, 'INBOX'))!.id;
  for (let i = 40; i < 44; i++) await store.append(b.id, bInbox, { raw: msg(i) });
  // POP3 DELE of two messages under the retain policy: recoverable, counted as retained
  await store.pop3Delete(b.id, [2, 3], 'retain', 14);
  await store.enqueue({ from: 'a@one.test', recipients: ['x@far.test', 'y@far.test'], raw: msg(50), accountId: a.id });
  const dsn = await store.enqueue({ from: '', recipients: ['bounce@far.test'], raw: msg(51), accountId: null });
  await store.updateQueueItem(dsn.id, { attempts: 3, lastError: '451 try later', nextAttemptAt: new Date(Date.now() + 3600_000) });
  await store.kvSet('test.sieve', a.id, [{ key: 'script/main', value: 'keep;' }, { key: 'active', value: 'main' }]);
  await store.kvSet('test.devices', b.id, [{ key: 'imap/thunderbird', value: JSON.stringify({ first: 1 }), expiresAt: new Date(Date.now() + 86400_000) }]);
  await store.kvAdd('test.server', null, 'counter', 41);
  await store.kvSet('test.server', null, [{ key: 'greylist/1.2.3.4', value: '1' }]);
}

test('backup → restore → verify: byte-exact with every feature in use, taken while the store is written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'letterbox-backup-'));
  try {
    const src = home(root, 'src');
    const live = await openSqliteStore(join(root, 'src-data'));
    const file = join(root, 'backup.db');
    let before: unknown;
    try {
      await seedEverything(live);
      // the server keeps writing while the backup runs; what the backup holds is a snapshot
      const a = (await live.getAccount('a@one.test'))!;
      const inbox = (await live.getMailbox(a.id, 'INBOX'))!.id;
      const writing = (async () => {
        for (let i = 0; i < 20; i++) await live.append(a.id, inbox, { raw: msg(100 + i) });
      })();
      const r = await cli([...src, 'backup', file]);
      await writing;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /backup \[.*\] 100% \| \d+\/\d+ pages/, 'progress is shown');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      // stop writing, take the reference state, and a second backup of exactly that
      rmSync(file);
      assert.equal((await cli([...src, 'backup', file])).code, 0);
      before = await dumpStore(live, KV_NS);
    } finally {
      await live.close();
    }
    assert.ok(!existsSync(`${file}-wal`), 'the backup is one self-contained file');

    // the backup verifies in place, read-only, without restoring it
    const snapshot = readFileSync(file);
    let r = await cli([...src, 'verify', '--backup', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /backup .* is sound: 37 messages .* in 16 mailboxes of 2 accounts, 2 queued messages checked/);
    assert.ok(readFileSync(file).equals(snapshot), 'verify --backup does not write to the file');

    const dst = home(root, 'dst');
    r = await cli([...dst, 'restore', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /restored .*backup\.db to .*dst-data\/letterbox\.db/);
    assert.match(r.stdout, /the restored store is sound: 37 messages/);
    assert.match(r.stderr, /restore \[.*\] 100%/);
    assert.match(r.stderr, /verify \[.*\] 100% \| 37\/37 messages/);
    assert.equal(statSync(join(root, 'dst-data', 'letterbox.db')).mode & 0o777, 0o600);

    const restored = await openSqliteStore(join(root, 'dst-data'));
    try {
      assert.deepEqual(await dumpStore(restored, KV_NS), before);
      // the restored store works: a new message gets the next UID, POP3 retention restores byte-exact
      const b = (await restored.getAccount('b@two.test'))!;
      assert.equal(await restored.pop3Restore(b.id), 2);
      assert.equal((await restored.pop3List(b.id)).length, 5);
    } finally {
      await restored.close();
    }
    r = await cli([...dst, 'verify']);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // never over a live or existing store
    r = await cli([...dst, 'restore', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already holds a mail store \(letterbox\.db.*\).*move .*letterbox\.db\* elsewhere/);
    r = await cli([...home(root, 'bad'), 'restore', join(root, 'src.toml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a (usable SQLite database|letterbox backup)|cannot be opened/);
    assert.ok(!existsSync(join(root, 'bad-data', 'letterbox.db')), 'nothing is left behind by a refused restore');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('verify reports damage, one line each, with exit status 1', async () => {
  const root = mkdtempSync(join(tmpdir(), 'letterbox-verify-'));
  try {
    const c = home(root, 'v');
    const store = await openSqliteStore(join(root, 'v-data'));
    try {
      await seedEverything(store);
    } finally {
      await store.close();
    }
    assert.equal((await cli([...c, 'verify'])).code, 0);
    const good = join(root, 'good.db');
    copyFileSync(join(root, 'v-data', 'letterbox.db'), good);
    const db = new Database(join(root, 'v-data', 'letterbox.db'));
    try {
      // one flipped byte inside a message body (same length: only the hash can tell)
      const blob = db.prepare(`SELECT b.id, b.raw FROM blobs b JOIN messages m ON m.blob_id = b.id JOIN mailboxes mb ON mb.id = m.mailbox_id
        WHERE mb.name = 'Projects/2026/Q1' ORDER BY m.uid LIMIT 1`).get() as { id: number; raw: Buffer };
      const raw = Buffer.from(blob.raw);
      raw[raw.length - 10] ^= 1;
      db.prepare('UPDATE blobs SET raw = ? WHERE id = ?').run(raw, blob.id);
      // a UID at or above UIDNEXT, a MODSEQ above HIGHESTMODSEQ, an index that belongs to other bytes
      db.prepare(`UPDATE mailboxes SET uid_next = 3 WHERE name = 'INBOX' AND account_id = (SELECT id FROM accounts WHERE address = 'b@two.test')`).run();
      db.prepare(`UPDATE messages SET modseq = 999999 WHERE uid = 2 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'INBOX' AND account_id = 1)`).run();
      db.prepare(`UPDATE blobs SET mime = (SELECT mime FROM blobs ORDER BY size DESC LIMIT 1) WHERE id = (SELECT min(id) FROM blobs)`).run();
      // a queued message that lost its bytes
      db.prepare(`UPDATE queue SET raw = x'00' WHERE sender = ''`).run();
    } finally {
      db.close();
    }
    const r = await cli([...c, 'verify']);
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('problem: '));
    const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `expected a problem matching ${re}:\n${lines.join('\n')}`);
    has(/a@one\.test Projects\/2026\/Q1 UID 1: bytes do not match the content hash recorded at delivery/);
    has(/b@two\.test INBOX: UID \d+ is not below UIDNEXT 3/);
    has(/a@one\.test INBOX: a message has MODSEQ 999999, above HIGHESTMODSEQ/);
    has(/a@one\.test INBOX UID 1: MIME index: /);
    has(/queue item \w+: recorded size \d+, stored bytes 1/);
    assert.match(r.stderr, /the store: \d+ problems found in 17 messages/);
    // the untouched copy still verifies as a backup
    assert.equal((await cli([...c, 'verify', '--backup', good])).code, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
