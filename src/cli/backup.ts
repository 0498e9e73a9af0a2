/**
 * `letterbox backup <file>`: a consistent copy of the SQLite store using SQLite's online
 * backup API (better-sqlite3 `db.backup`). It reads through its own connection, page by page,
 * and restarts pages that the running server changes meanwhile, so it is safe while
 * `letterbox serve` runs. Restore: stop the server, copy the file to <data_dir>/letterbox.db
 * (and remove letterbox.db-wal / -shm), start again.
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { CliError, loadConfigFrom } from './common.js';
import { out } from './io.js';
import { formatSize } from './validate.js';

export const DB_FILE = 'letterbox.db';

export async function backupDatabase(dataDir: string, dest: string, opts: { force?: boolean } = {}): Promise<number> {
  const source = resolve(dataDir, DB_FILE);
  if (!existsSync(source)) throw new CliError(`no mail store at ${source} (data_dir); nothing to back up`);
  if (existsSync(dest) && !opts.force) throw new CliError(`${dest} already exists; choose another file or pass --force to overwrite it`);
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CliError(`cannot open ${source}: ${(e as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 10000');
    // the copy holds password hashes and DKIM private keys: owner-only from the first byte
    // (SQLite keeps an existing file's mode, and gives its journal the same one)
    closeSync(openSync(dest, 'a', 0o600));
    chmodSync(dest, 0o600);
    await db.backup(dest);
    chmodSync(dest, 0o600);
  } catch (e) {
    throw new CliError(`backup to ${dest} failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  return statSync(dest).size;
}

export function register(program: Command): void {
  program
    .command('backup <file>')
    .description('write a consistent copy of the mail store to <file> (safe while the server runs)')
    .option('--force', 'overwrite <file> if it exists')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      if (config.store.backend !== 'sqlite') throw new CliError(`store.backend is "${config.store.backend}": only the sqlite store can be backed up`);
      const dest = resolve(file);
      const size = await backupDatabase(config.data_dir, dest, opts);
      out(`backed up ${resolve(config.data_dir, DB_FILE)} to ${dest} (${formatSize(size)})`);
    });
}
