import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { run } from '../../../src/cli/program.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

async function cli(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from(stdin ? [Buffer.from(stdin)] : []),
  });
  return { code, stdout, stderr };
}

test('admin commands on the SQLite store in a temp data_dir, and an online backup', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-cli-sqlite-'));
  try {
    const file = join(dir, 'letterbox.toml');
    writeFileSync(file, 'data_dir = "var"\n[log]\nlevel = "silent"\n');
    const c = ['-c', file];
    let r = await cli([...c, 'domain', 'add', 'example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'var', 'letterbox.db')), 'data_dir is relative to the config file');
    r = await cli([...c, 'user', 'add', 'alice@example.test', '--quota', '1G'], 'pw\n');
    assert.equal(r.code, 0, r.stderr);
    r = await cli([...c, 'alias', 'add', 'postmaster@example.test', 'alice@example.test']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli([...c, 'user', 'list']);
    assert.match(r.stdout, /alice@example\.test\s+0 B\s+1 GiB/);

    // a "server" holds the store open (and writes) while the backup runs
    const live = await openSqliteStore(join(dir, 'var'));
    try {
      const a = (await live.getAccount('alice@example.test'))!;
      const inbox = (await live.getMailbox(a.id, 'INBOX'))!;
      await live.append(a.id, inbox.id, { raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n') });
      const dest = join(dir, 'backup.db');
      r = await cli([...c, 'backup', dest]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /backed up .*letterbox\.db to .*backup\.db/);
      const copy = new Database(dest, { readonly: true });
      try {
        assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        copy.close();
      }
      r = await cli([...c, 'backup', dest]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /already exists; .*--force/);
    } finally {
      await live.close();
    }

    // the backup is a complete store: open it as a data_dir and find the message
    const restoreDir = join(dir, 'restore');
    mkdirSync(restoreDir);
    copyFileSync(join(dir, 'backup.db'), join(restoreDir, 'letterbox.db'));
    const back = await openSqliteStore(restoreDir);
    try {
      const a = (await back.getAccount('alice@example.test'))!;
      assert.equal(a.quotaBytes, 1024 ** 3);
      const inbox = (await back.getMailbox(a.id, 'INBOX'))!;
      assert.equal((await back.mailboxStatus(a.id, inbox.id)).messages, 1);
      assert.deepEqual((await back.listAliases()).map((x) => x.source), ['postmaster@example.test']);
    } finally {
      await back.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup without a store is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-cli-sqlite-'));
  try {
    const file = join(dir, 'letterbox.toml');
    writeFileSync(file, 'data_dir = "empty"\n');
    const r = await cli(['-c', file, 'backup', join(dir, 'b.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no mail store at .*empty\/letterbox\.db/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an admin command creates a missing data directory for its owner only (0700), as serve does (issue 9 item 8)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-cli-mode-'));
  const umask = process.umask(0o022);
  try {
    const file = join(dir, 'letterbox.toml');
    writeFileSync(file, 'data_dir = "fresh/data"\n[log]\nlevel = "silent"\n');
    const r = await cli(['-c', file, 'domain', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(dir, 'fresh', 'data')).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'fresh', 'data', 'letterbox.db')).mode & 0o777, 0o600);
  } finally {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the store every command and serve open keeps IMAP summaries (ENVELOPE/BODYSTRUCTURE) of what it stores', async () => {
  const { openStore } = await import('../../../src/cli/common.js');
  const { defaultConfig } = await import('../../../src/config/schema.js');
  const { createLogger } = await import('../../../src/log.js');
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-cli-summary-'));
  try {
    for (const backend of ['sqlite', 'memory'] as const) {
      const config = defaultConfig({ data_dir: dir, log: { level: 'silent' }, store: { backend } });
      const store = await openStore(config, createLogger(config));
      try {
        await store.addDomain('example.test');
        const a = await store.createAccount('bob@example.test', 'x');
        const inbox = (await store.getMailbox(a.id, 'INBOX'))!.id;
        await store.append(a.id, inbox, { raw: Buffer.from('Subject: hello\r\n\r\nhi\r\n') });
        const [row] = await store.getSummaries!(a.id, inbox, [1]);
        assert.match(JSON.parse(row!.summary!).e, /"hello"/, backend);
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
