/**
 * `letterbox backup <file>` and `letterbox restore <file>` for the SQLite store.
 *
 * backup: a consistent copy through SQLite's online backup API (better-sqlite3 `db.backup`),
 * read through its own connection page by page; pages the running server changes meanwhile
 * are copied again, so it is safe while `letterbox serve` runs. The copy is then switched
 * out of WAL mode so it is one self-contained file that `letterbox verify --backup` can
 * open read-only. Progress is shown by pages.
 *
 * restore: only into a data directory without a mail store (never over a live one). The
 * file is copied beside the target, checked (SQLite integrity, a letterbox schema this
 * release knows), fsynced, then linked into place (link fails if a store appeared
 * meanwhile, e.g. a server started), migrated if it came from an older release, and
 * verified (src/store/verify.ts).
 *
 * PostgreSQL stores are backed up with pg_dump (README, "Backups").
 */
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import type { Config } from '../config/schema.js';
import { MIGRATIONS } from '../store/sqlite/migrations.js';
import { DB_FILE } from '../store/sqlite/index.js';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { startProgress } from './progress.js';
import { formatSize } from '../admin/validate.js';
import { printReport, verifyWithProgress } from './verify.js';

export { DB_FILE };

/** pages copied per step of the online backup (4 MiB with 4 KiB pages); the server may write between steps */
const PAGES_PER_STEP = 1024;

export function requireSqlite(config: Config, what: string): void {
  if (config.store.backend !== 'sqlite')
    throw new CliError(
      `store.backend is "${config.store.backend}": letterbox ${what} works on the sqlite store; ` +
        (config.store.backend === 'memory' ? 'the memory store keeps nothing to back up' : 'back up PostgreSQL with pg_dump (see the README, "Backups")'),
    );
}

export async function backupDatabase(dataDir: string, dest: string, opts: { force?: boolean; progress?: boolean } = {}): Promise<number> {
  const source = resolve(dataDir, DB_FILE);
  if (!existsSync(source)) throw new CliError(`no mail store at ${source} (data_dir); nothing to back up`);
  if (existsSync(dest) && !opts.force) throw new CliError(`${dest} already exists; choose another file or pass --force to overwrite it`);
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CliError(`cannot open ${source}: ${(e as Error).message}`);
  }
  const bar = opts.progress ? startProgress('backup', 0, 'pages') : null;
  try {
    db.pragma('busy_timeout = 10000');
    // the copy holds password hashes and DKIM private keys: owner-only from the first byte
    // (SQLite keeps an existing file's mode, and gives its journal the same one)
    closeSync(openSync(dest, 'a', 0o600));
    chmodSync(dest, 0o600);
    await db.backup(dest, {
      progress({ totalPages, remainingPages }) {
        bar?.setTotal(totalPages);
        bar?.update(totalPages - remainingPages);
        return PAGES_PER_STEP;
      },
    });
    // one self-contained file: no -wal/-shm needed to read it (verify --backup opens it read-only)
    const copy = new Database(dest);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    chmodSync(dest, 0o600);
  } catch (e) {
    throw new CliError(`backup to ${dest} failed: ${(e as Error).message}`);
  } finally {
    bar?.stop();
    db.close();
  }
  return statSync(dest).size;
}

/** Copies `from` to a new file `to` (mode 0600) in 1 MiB steps with a progress bar, then fsyncs it. */
function copyFileDurably(from: string, to: string): void {
  const total = statSync(from).size;
  const bar = startProgress('restore', total, 'bytes');
  const src = openSync(from, 'r');
  let dst: number | null = null;
  try {
    dst = openSync(to, 'wx', 0o600);
    const buf = Buffer.allocUnsafe(1 << 20);
    let done = 0;
    for (;;) {
      const n = readSync(src, buf, 0, buf.length, null);
      if (n === 0) break;
      writeSync(dst, buf, 0, n);
      done += n;
      bar.update(done);
    }
    fsyncSync(dst);
  } finally {
    bar.stop();
    closeSync(src);
    if (dst !== null) closeSync(dst);
  }
}

/** Checks that `file` is a sound letterbox store this release can open, and leaves it out of WAL mode. */
function checkBackupFile(file: string, shown: string): void {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (e) {
    throw new CliError(`${shown} cannot be opened as a SQLite database: ${(e as Error).message}`);
  }
  try {
    let check: string;
    try {
      db.pragma('journal_mode = DELETE');
      check = String(db.pragma('quick_check', { simple: true }));
    } catch (e) {
      throw new CliError(`${shown} is not a usable SQLite database: ${(e as Error).message}`);
    }
    if (check !== 'ok') throw new CliError(`${shown} is damaged (SQLite quick_check: ${check}); restore another backup`);
    let version: number | null = null;
    try {
      version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v;
    } catch {
      // not ours
    }
    if (version === null) throw new CliError(`${shown} is not a letterbox backup (no schema_migrations table)`);
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    if (version > known) throw new CliError(`${shown} was written by a newer letterbox (schema ${version}, this one knows ${known}); restore it with that release`);
  } finally {
    db.close();
  }
}

export async function restoreDatabase(file: string, dataDir: string): Promise<void> {
  if (!existsSync(file)) throw new CliError(`${file} does not exist`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const target = join(dataDir, DB_FILE);
  const present = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`].filter((f) => existsSync(join(dataDir, f)));
  if (present.length > 0)
    throw new CliError(
      `${dataDir} (data_dir) already holds a mail store (${present.join(', ')}); restore only writes into a data directory without one. ` +
        `Stop the server, move ${target}* elsewhere (keep it until the restored store is verified), and run restore again`,
    );
  const temp = join(dataDir, `.${DB_FILE}.restoring-${process.pid}`);
  try {
    copyFileDurably(file, temp);
    checkBackupFile(temp, file);
    try {
      // link, not rename: fails if a store appeared meanwhile (a server started), never replaces one
      linkSync(temp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${target} appeared while restoring (is a server starting?); nothing was replaced`);
      throw e;
    }
    const dir = openSync(dataDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } finally {
    for (const f of [temp, `${temp}-journal`]) if (existsSync(f)) unlinkSync(f);
  }
}

export function register(program: Command): void {
  program
    .command('backup <file>')
    .description('write a consistent copy of the mail store to <file> (safe while the server runs)')
    .option('--force', 'overwrite <file> if it exists')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      requireSqlite(config, 'backup');
      const dest = resolve(file);
      const size = await backupDatabase(config.data_dir, dest, { ...opts, progress: true });
      out(`backed up ${resolve(config.data_dir, DB_FILE)} to ${dest} (${formatSize(size)})`);
    });

  program
    .command('restore <file>')
    .description('restore a backup into the data directory (refused when it already holds a mail store), then verify it')
    .option('--no-verify', 'skip the verification after restoring')
    .action(async (file: string, opts: { verify: boolean }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      requireSqlite(config, 'restore');
      const source = resolve(file);
      await restoreDatabase(source, config.data_dir);
      out(`restored ${source} to ${join(config.data_dir, DB_FILE)}`);
      if (!opts.verify) return;
      // opening it migrates a backup from an older release
      const report = await withStore(config, (store) => verifyWithProgress(store));
      printReport(report, 'the restored store');
    });
}

/** a backup into <data_dir>/backups/letterbox-<yyyymmdd>-<hhmmss>.db (the admin console's "Back up now"); returns the file name */
export async function backupIntoDataDir(config: Config): Promise<string> {
  requireSqlite(config, 'backup');
  const dir = resolve(config.data_dir, 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `letterbox-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}.db`;
  await backupDatabase(config.data_dir, resolve(dir, name));
  return name;
}
