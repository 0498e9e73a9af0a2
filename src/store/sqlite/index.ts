/**
 * The embedded default backend: one SQLite file, <dataDir>/letterbox.db (better-sqlite3).
 *
 * - WAL: a durable commit is fsynced before any promise resolves, on libuv's thread pool so
 *   the event loop goes on serving; flag-only batches (STORE, \Seen, \Recent) are not
 *   fsynced (committer.ts explains).
 * - Group commit (committer.ts): mutations of one tick share one transaction/fsync.
 * - busy_timeout: the CLI and `serve --workers N` write while other processes run; each
 *   notices the others' commits through the change log (watcher.ts), woken by the unix
 *   socket of `letterbox serve` (wakeup.ts), and publishes them on its bus.
 * - Versioned, transactional migrations (migrations.ts).
 * - Raw bytes byte-exact in `blobs`, shared by COPY; MIME index as JSON; lower-cased
 *   search text computed at append so SEARCH never re-parses.
 * - Counters (messages, unseen, deleted, size, used bytes) kept by triggers.
 */
import { chmodSync, closeSync, existsSync, fdatasync, mkdirSync, open } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { createChangeBus } from '../bus.js';
import type { ChangeBus, Store } from '../types.js';
import type { Summarizer } from '../summary-types.js';
import { createCommitter, type Committer } from './committer.js';
import { createCtx } from './context.js';
import { createFtsQueue } from './fts-queue.js';
import { createFtsThread } from './fts-thread.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { createParsePool } from './parse-pool.js';
import { adminOps } from './admin.js';
import { mailboxOps } from './mailboxes.js';
import { messageOps } from './messages.js';
import { pop3Ops } from './pop3.js';
import { queueOps } from './queue.js';
import { kvOps } from './kv.js';
import { integrityOps } from './integrity.js';
import { sortOps } from './sort.js';
import { leaseOps } from './lease.js';
import { CHANGE_LOG_KEEP_MS, createWatcher, pruneChangeLog } from './watcher.js';
import { connectWakeup } from './wakeup.js';

export const DB_FILE = 'letterbox.db';
export const BUSY_TIMEOUT_MS = 5000;

type SqliteStats = { commits: number; jobs: number; txMs: number; backgroundCommits: number; parsedInWorkers: number; parsedInline: number; statements: number; flagCacheLoads: number };
const statsOf = new WeakMap<Store, () => SqliteStats>();
const ftsDrainOf = new WeakMap<Store, () => Promise<void>>();

/** Group-commit and cache figures of an open SQLite store (tests, benchmarks, metrics); null for other stores. */
export function sqliteStoreStats(store: Store): SqliteStats | null {
  return statsOf.get(store)?.() ?? null;
}

/** indexes every message still waiting for the full-text index now (fts-queue.ts; tests) */
export async function sqliteIndexPending(store: Store): Promise<void> {
  await ftsDrainOf.get(store)?.();
}

export interface SqliteStoreOptions {
  log?: Logger;
  /**
   * worker threads that parse large messages off the main thread (0 = parse inline, the
   * default: on a busy 2-core machine workers cost more CPU than they save; try
   * defaultParseWorkers() on an idle multi-core server)
   */
  parseWorkers?: number;
  /**
   * full-text indexing after the commit on a worker thread with its own connection
   * (fts-thread.ts; default true), else on the event loop
   */
  ftsThread?: boolean;
  /** MIME nesting indexed at delivery (limits.mime_depth); deeper parts are opaque leaves */
  mimeDepth?: number;
  /** the protocol's summary of each stored message (../summary-types.ts); none without it */
  summarizer?: Summarizer;
  /** mailboxes per account at most (limits.mailboxes_per_account); unset: no cap */
  maxMailboxes?: number;
  /**
   * open `file` (a backup) read-only instead of <dataDir>/letterbox.db: nothing is created,
   * migrated or written; every mutation fails. The schema must be this release's.
   */
  readonlyFile?: string;
}

/** Opens a backup file read-only (letterbox verify --backup); its schema must be current. */
function openReadonly(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  let version = 0;
  try {
    version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  } catch {
    db.close();
    throw new Error(`${file} is not a letterbox store (no schema_migrations table)`);
  }
  if (version !== known) {
    db.close();
    throw new Error(
      `${file} has schema version ${version}, this letterbox reads version ${known} in place; ` +
        'restore it into an empty data directory (restore migrates it) and run letterbox verify there',
    );
  }
  return db;
}

/**
 * Pages are read through a memory map instead of one pread per page: a message body is a
 * chain of overflow pages behind the row's text columns, and FETCH BODY[] / POP3 RETR walk
 * that chain for every message (10k messages, 110 MB: ~170 → ~65 ms of reading). Writes still
 * go through write() and the WAL, so a commit's durability is unchanged. Address space
 * only: the kernel's page cache backs it, it is not the process's own memory.
 */
const MMAP_BYTES = 1024 * 1024 * 1024;

function mapForReading(db: Database.Database): void {
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
}

/** Opens (creating and migrating as needed) the store file read-write, WAL, fsync on commit. */
function openWritable(file: string, created: boolean, log: Logger | undefined): Database.Database {
  try {
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    // password hashes and DKIM keys live here: owner only (SQLite gives -wal/-shm the same mode)
    if (created) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // checkpoint every ~16 MB of WAL instead of 4 MB: fewer database fsyncs under heavy delivery
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // a commit batch runs each job in a savepoint (committer.ts): without this SQLite opens,
    // writes and unlinks a temporary sub-journal file for batches that need one (seen as one
    // openat + unlink per batch under SMTP load); temporary tables and sorts stay in memory too
    db.pragma('temp_store = MEMORY');
    mapForReading(db);
    const applied = migrate(db);
    if (applied.length > 0) log?.info({ file, versions: applied }, 'store: database schema migrated');
    return db;
  } catch (err) {
    throw new Error(`cannot open the mail store ${file}: ${(err as Error).message} (check the path, permissions and free space)`, {
      cause: err,
    });
  }
}

/** Opens (creating and migrating as needed) the store in `dataDir`. */
export async function openSqliteStore(dataDir: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  const log = opts.log;
  const readonly = opts.readonlyFile !== undefined;
  if (!readonly) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = opts.readonlyFile ?? join(dataDir, DB_FILE);
  const db = readonly ? openReadonly(file) : openWritable(file, !existsSync(file), log);

  const writer = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const inner = createChangeBus((err) => log?.error({ err }, 'store: a change listener failed'));
  let watcher: ReturnType<typeof createWatcher> | null = null;
  const wakeup = connectWakeup(dataDir, () => watcher?.poll());
  // ctx (below) exists before the watcher's first poll
  watcher = createWatcher(
    db,
    writer,
    (changes) => {
      ctx.flagCache.apply(changes);
      inner.publish(changes);
    },
    log,
    wakeup,
    (changes) => ctx.flagCache.apply(changes),
  );
  const w = watcher;
  const bus: ChangeBus = {
    subscribe(accountId, listener) {
      const unsub = inner.subscribe(accountId, listener);
      w.update(inner.subscriberCount());
      return () => {
        unsub();
        w.update(inner.subscriberCount());
      };
    },
    publish: (changes) => inner.publish(changes),
  };

  const logChange = db.prepare('INSERT INTO change_log (writer, created_at, changes) VALUES (?, ?, ?)');
  const pruneLog = readonly ? null : pruneChangeLog(db);
  pruneLog?.(Date.now() - CHANGE_LOG_KEEP_MS);
  let recorded = 0;
  let committer: Committer | null = null;
  const ctx = createCtx(db, () => committer!, log);
  ctx.flagCache.catchUp = () => w.catchUp();
  // the durability barrier: fsync of the write-ahead log off the event loop (committer.ts);
  // SQLite keeps the -wal file (same inode) while this connection is open. fdatasync: the
  // frames and the file's length (what reading them back needs) reach the disk, only its
  // timestamps are left to the kernel; on the development machine's disk a third of the
  // time of fsync (0.17 against 0.49 ms at the median)
  let walFd: number | null = null;
  const walFile = `${file}-wal`;
  committer = createCommitter(db, {
    log,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
    sync: readonly
      ? undefined
      : (done) => {
          const go = (fd: number) => fdatasync(fd, (err) => done(err ?? undefined));
          if (walFd !== null) return go(walFd);
          open(walFile, 'r', (err, fd) => {
            if (err) return done(err);
            walFd = fd;
            go(fd);
          });
        },
    record(changes) {
      logChange.run(writer, Date.now(), JSON.stringify(changes));
      if (++recorded % 1000 === 0) pruneLog?.(Date.now() - CHANGE_LOG_KEEP_MS);
    },
    publish: (changes) => {
      inner.publish(changes);
      if (changes.length) wakeup.committed();
    },
    committed: (changes) => ctx.flagCache.apply(changes),
  });

  ctx.summarizer = opts.summarizer;
  const ftsThread = readonly || opts.ftsThread === false ? undefined : createFtsThread(file, BUSY_TIMEOUT_MS, log, () => committer?.wake());
  const ftsQueue = readonly ? undefined : createFtsQueue(ctx, ftsThread);
  ctx.ftsQueue = ftsQueue;
  const pool = createParsePool(opts.parseWorkers ?? 0, log, opts.mimeDepth, opts.summarizer);
  const store: Store = {
    bus,
    ...adminOps(ctx),
    ...mailboxOps(ctx, opts.maxMailboxes),
    ...messageOps(ctx, pool, opts.mimeDepth),
    ...pop3Ops(ctx),
    ...queueOps(ctx),
    ...kvOps(ctx),
    ...integrityOps(ctx, pool),
    ...sortOps(ctx),
    ...leaseOps(ctx),
    async close() {
      if (ctx.closed) return;
      // what still waits for the full-text index goes in with the last commit
      ftsQueue?.stop();
      // after what it was asked before; the drain below takes the rest (the write lock orders the two)
      const threadStopped = ftsThread?.stop();
      const indexed = ftsQueue?.drain().catch((err: unknown) => log?.warn({ err }, 'store: full-text indexing at close failed; done at the next open'));
      committer!.flush();
      ctx.closed = true;
      w.stop();
      await committer!.settled();
      await indexed;
      await threadStopped;
      await wakeup.close();
      await pool.close();
      if (walFd !== null) closeSync(walFd);
      db.close();
    },
  };
  if (ftsQueue) ftsDrainOf.set(store, () => ftsQueue.drain());
  statsOf.set(store, () => {
    const p = pool.stats();
    return { ...committer!.stats(), parsedInWorkers: p.worker, parsedInline: p.inline, statements: ctx.statements(), flagCacheLoads: ctx.flagCache.loads };
  });
  return store;
}
