import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.js';
import { leaseContract } from './lease-contract.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

storeContract('sqlite', async (opts) => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-store-'));
  const store = await openSqliteStore(dir, opts);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

leaseContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-store-'));
  const store = await openSqliteStore(dir);
  return {
    store,
    second: () => openSqliteStore(dir),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
