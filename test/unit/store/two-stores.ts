/**
 * Two store instances on the same data, as two `serve --workers` processes (SQLite, one data
 * directory) or two nodes (PostgreSQL, one database) see it: runs fn(a, b), then closes
 * both and removes what was made for them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import type { Store } from '../../../src/store/types.js';
import { createTestDatabase } from '../../helpers/pg-cluster.js';

async function both(a: Store, b: Store, fn: (a: Store, b: Store) => Promise<void>): Promise<void> {
  try {
    await fn(a, b);
  } finally {
    await b.close();
    await a.close();
  }
}

export async function withTwoSqliteStores(fn: (a: Store, b: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-two-'));
  try {
    await both(await openSqliteStore(dir), await openSqliteStore(dir), fn);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `name`: a short tag for the test database */
export async function withTwoPostgresStores(name: string, fn: (a: Store, b: Store) => Promise<void>): Promise<void> {
  const url = await createTestDatabase(name);
  await both(await openPostgresStore(url), await openPostgresStore(url), fn);
}
