/**
 * Security review: files that hold password hashes, DKIM keys or the TLS key are readable
 * by the owner only — the data directory, the SQLite database, the self-signed key, and
 * the copy `letterbox backup` writes.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { backupDatabase } from '../../src/cli/backup.js';

const root = mkdtempSync(join(tmpdir(), 'letterbox-perm-'));
after(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('security: file permissions', () => {
  it('data dir 0700, database 0600, backup copy 0600 even under a permissive umask', async () => {
    const old = process.umask(0o022);
    try {
      const dataDir = join(root, 'data');
      const store = await openSqliteStore(dataDir);
      await store.addDomain('example.test');
      await store.createAccount('a@example.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
      await store.close();
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, 'letterbox.db')), 0o600);
      const dest = join(root, 'backup.db');
      await backupDatabase(dataDir, dest);
      assert.equal(mode(dest), 0o600, 'backup holds password hashes and DKIM keys: owner only');
      // --force over an existing world-readable file tightens it as well
      const dest2 = join(root, 'backup2.db');
      writeFileSync(dest2, '');
      chmodSync(dest2, 0o644);
      await backupDatabase(dataDir, dest2, { force: true });
      assert.equal(mode(dest2), 0o600);
    } finally {
      process.umask(old);
    }
  });
});
