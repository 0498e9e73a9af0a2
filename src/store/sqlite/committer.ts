/**
 * Group commit. Mutations requested in the same tick are queued and run in ONE
 * transaction (one WAL fsync with synchronous=FULL); each runs in its own savepoint so
 * a failing one (OVERQUOTA, NONEXISTENT…) rolls back alone. After the commit, the
 * changes of every job are published on the bus in commit order, then each caller's
 * promise settles. If the commit itself fails, or an error such as SQLITE_FULL rolls back
 * the whole transaction rather than one savepoint, every job of the batch fails with TEMP
 * and none of it is stored.
 *
 * Durability per batch: a batch holding any durable job (messages arriving, moving or
 * leaving, accounts, queue…) is fsynced before any caller hears back (SMTP 250, APPEND OK).
 * A batch of flag-only jobs (STORE, \Seen set by FETCH or POP3 RETR, \Recent bookkeeping)
 * is not: in WAL mode the transaction is in the WAL file before the promise resolves, so it
 * survives a crash or kill -9 of the process; only an operating-system crash or power loss
 * can drop the last flag changes (the next fsync or checkpoint takes them along). Dovecot
 * does not fsync flag changes at all; an fsync per STORE would cap a client at the disk's
 * fsync rate.
 *
 * The fsync does not block the event loop when `sync` is given (the store passes an fsync
 * of the WAL file on libuv's thread pool): transactions commit with synchronous=NORMAL, and a
 * durable batch's callers are answered, and its changes published, once a sync started after
 * its commit has finished. Meanwhile every other connection is served; jobs that make
 * changes durable wait for the running sync to end (they could not be answered before the
 * next one anyway) and then commit together, so appends from several connections share
 * transactions and syncs although they arrive at different moments. Batches are published in
 * commit order, so a flag-only batch committed after a durable one waits for that one's sync.
 * (With synchronous=FULL every commit held the whole process for the fsync: on a busy disk,
 * milliseconds per message in which no client was answered.)
 *
 * Several processes on one file (`serve --workers`, the CLI): a batch takes the write lock
 * with BEGIN IMMEDIATE without SQLite's busy handler, which would sleep inside the call
 * (1, 2, 5, 10… ms) and hold this process's every connection meanwhile. When another
 * process holds the lock, the batch stays first in the queue and is tried again a
 * millisecond later, the event loop serving reads in between; after `lockWaitMs` of that
 * it waits the blocking way (busy_timeout) and fails with TEMP as before if still refused.
 * When the holder is this process's own full-text thread, it says when it is done (wake()),
 * and the batch goes on then, without waiting for a timer.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError, type Change } from '../types.js';

export interface JobResult<T> {
  value: T;
  changes: Change[];
}

interface Job {
  run: () => JobResult<unknown>;
  /** false: flag-only change, committed without fsync (see the top of this file) */
  durable: boolean;
  /** the store's own upkeep (full-text indexing after the commit): counted apart in stats() */
  background: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface Committer {
  /** queues `fn` for the next group commit; resolves with its value after the commit */
  submit<T>(fn: () => JobResult<T>, opts?: { durable?: boolean; background?: boolean }): Promise<T>;
  /** runs everything queued now (used by close) */
  flush(): void;
  /** resolves once every committed batch has been answered (its sync finished) */
  settled(): Promise<void>;
  pending(): number;
  /**
   * another writer of this process (the full-text thread, fts-thread.ts) released the write
   * lock: a batch that found it taken tries again now rather than at its next retry tick
   */
  wake(): void;
  /**
   * transactions committed and jobs run so far for callers (group-commit effectiveness), and
   * the transactions of background jobs only (full-text indexing)
   */
  stats(): { commits: number; jobs: number; txMs: number; backgroundCommits: number };
}

export function createCommitter(
  db: Database.Database,
  opts: {
    /** called inside the transaction for each successful job (change log) */
    record(changes: Change[]): void;
    publish(changes: Change[]): void;
    /** called with each job's changes right after its transaction committed (before any sync), in commit order */
    committed?(changes: Change[]): void;
    log?: Logger;
    /** most jobs per transaction */
    maxBatch?: number;
    /**
     * makes every commit so far durable (fsync of the WAL file) without blocking the event
     * loop; `done` gets an error when that failed. Without it, durable batches commit with
     * synchronous=FULL.
     */
    sync?: (done: (err?: Error) => void) => void;
    /** the connection's busy_timeout (ms): restored after each try of the write lock, and how long a batch retries without blocking */
    busyTimeoutMs?: number;
  },
): Committer {
  let queue: Job[] = [];
  let scheduled = false;
  let commits = 0;
  let jobs = 0;
  let backgroundCommits = 0;
  let txMs = 0;
  const maxBatch = opts.maxBatch ?? 5000;
  const syncFull = db.prepare('PRAGMA synchronous = FULL');
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  let full = true;
  const setFull = (want: boolean) => {
    if (want === full) return;
    (want ? syncFull : syncNormal).run();
    full = want;
  };

  const busyMs = opts.busyTimeoutMs ?? 5000;
  const noWait = db.prepare('PRAGMA busy_timeout = 0');
  const wait = db.prepare(`PRAGMA busy_timeout = ${busyMs}`);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  /** when the first batch first found the write lock taken by another process (0: it did not) */
  let lockedOutSince = 0;
  /** the retry tick of a batch that found the write lock taken (wake() runs it early) */
  let retry: NodeJS.Timeout | null = null;

  /** BEGIN IMMEDIATE without waiting: false when another process holds the write lock */
  function tryBegin(): boolean {
    noWait.run();
    try {
      begin.run();
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw err;
    } finally {
      wait.run();
    }
  }

  /** `blocking`: run everything now, waiting for the write lock inside SQLite if need be (close) */
  function drain(blocking: boolean): void {
    scheduled = false;
    while (queue.length > 0) {
      // a durable job that arrives while a sync runs could not be answered before the next
      // sync anyway: it waits for this one to finish, and whatever else arrived meanwhile
      // (other connections' APPENDs, deliveries) commits with it in one transaction
      if (!blocking && syncing && queue.some((j) => j.durable)) {
        held = true;
        return;
      }
      // background upkeep never shares a transaction with callers' jobs (it would delay their answer)
      let n = 1;
      while (n < queue.length && n < maxBatch && queue[n]!.background === queue[0]!.background) n++;
      let durable = false;
      for (let i = 0; i < n && !durable; i++) durable = queue[i]!.durable;
      // before BEGIN: SQLite refuses to change the safety level inside a transaction
      setFull(durable && !opts.sync);
      let locked = false;
      if (!blocking && !db.inTransaction) {
        let busy = false;
        try {
          locked = tryBegin();
          busy = !locked;
        } catch {
          // another error (I/O…): the blocking path below meets it again and reports it
        }
        if (busy) {
          const now = Date.now();
          lockedOutSince ||= now;
          if (now - lockedOutSince < busyMs) {
            scheduled = true;
            retry = setTimeout(() => {
              retry = null;
              drain(false);
            }, 1);
            return;
          }
        }
      }
      lockedOutSince = 0;
      runBatch(queue.splice(0, n), locked);
    }
  }

  function flush(): void {
    drain(true);
  }

  type Outcome = { ok: true; r: JobResult<unknown> } | { ok: false; err: unknown };
  // made once: better-sqlite3's transaction() builds a wrapper function (and its deferred /
  // immediate / exclusive variants) at every call, which per batch and per job was a
  // measurable part of a one-message commit
  /** one job in a savepoint of the batch's transaction, with its changes recorded */
  const runJob = db.transaction((job: Job): JobResult<unknown> => {
    const r = job.run();
    if (r.changes.length > 0) opts.record(r.changes);
    return r;
  });
  /** the batch's transaction (inside BEGIN IMMEDIATE already taken: a savepoint) */
  const runJobs = db.transaction((batch: Job[], outcomes: Outcome[]): void => {
    for (const job of batch) {
      try {
        outcomes.push({ ok: true, r: runJob(job) });
      } catch (err) {
        // SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM… may roll back the whole transaction, not
        // only this job's savepoint: the jobs before it are gone too, and the ones after it
        // would each commit on their own (autocommit) while their callers hear that the
        // batch failed. Stop here; the catch below fails every job of the batch.
        if (!db.inTransaction) throw err;
        if (!(err instanceof StoreError)) opts.log?.error({ err }, 'store: a mutation failed unexpectedly and was rolled back');
        outcomes.push({ ok: false, err: err instanceof StoreError ? err : new StoreError('TEMP', `store error: ${(err as Error).message}`) });
      }
    }
  });

  /** `locked`: this connection already holds the write lock (tryBegin) and commits here */
  function runBatch(batch: Job[], locked: boolean): void {
    const outcomes: Outcome[] = [];
    const t0 = performance.now();
    const durable = batch.some((j) => j.durable);
    try {
      if (locked) {
        runJobs(batch, outcomes); // inside our BEGIN: better-sqlite3 runs it as a savepoint
        commit.run();
      } else {
        setFull(durable && !opts.sync);
        runJobs.immediate(batch, outcomes);
      }
      txMs += performance.now() - t0;
    } catch (err) {
      if (locked && db.inTransaction) rollback.run();
      opts.log?.error(
        { err, jobs: batch.length },
        'store: commit failed (disk full or I/O error?); the whole batch was rolled back and its callers get a temporary error — free disk space in the data directory',
      );
      const e = new StoreError('TEMP', `the store could not commit: ${(err as Error).message}`);
      for (const job of batch) job.reject(e);
      return;
    }
    const counted = batch.filter((j) => !j.background).length;
    if (counted > 0) commits++;
    else backgroundCommits++;
    jobs += counted;
    if (opts.committed) for (const o of outcomes) if (o.ok && o.r.changes.length) opts.committed(o.r.changes);
    const answer = (syncError?: Error) => {
      for (let i = 0; i < batch.length; i++) {
        const o = outcomes[i]!;
        if (o.ok) {
          try {
            opts.publish(o.r.changes);
          } catch (err) {
            opts.log?.error({ err }, 'store: a change listener failed');
          }
          if (syncError && batch[i]!.durable) batch[i]!.reject(new StoreError('TEMP', `the store could not make the change durable: ${syncError.message}`));
          else batch[i]!.resolve(o.r.value);
        } else batch[i]!.reject(o.err);
      }
    };
    if (!opts.sync || (!durable && answers.length === 0)) return answer();
    answers.push({ answer, synced: !durable, error: undefined });
    if (durable) requestSync();
  }

  /** batches committed but not yet answered, in commit order (see the top of this file) */
  const answers: Array<{ answer: (err?: Error) => void; synced: boolean; error: Error | undefined }> = [];
  let syncing = false;
  let syncAgain = false;
  /** drain() found a sync running and left the queue for its end */
  let held = false;

  function requestSync(): void {
    if (syncing) {
      syncAgain = true; // committed after the running sync started: it needs the next one
      return;
    }
    syncing = true;
    const covered = answers.length;
    opts.sync!((err) => {
      syncing = false;
      if (err) opts.log?.error({ err }, 'store: fsync of the write-ahead log failed; the callers of the last commits get a temporary error');
      for (let i = 0; i < covered; i++) {
        const a = answers[i]!;
        if (!a.synced) {
          a.synced = true;
          a.error = err;
        }
      }
      while (answers.length && answers[0]!.synced) {
        const a = answers.shift()!;
        a.answer(a.error);
      }
      if (syncAgain) {
        syncAgain = false;
        requestSync();
      }
      if (held) {
        held = false;
        drain(false);
      }
    });
  }

  return {
    submit<T>(fn: () => JobResult<T>, o?: { durable?: boolean; background?: boolean }): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ run: fn, durable: o?.durable ?? true, background: o?.background ?? false, resolve: resolve as (v: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => drain(false));
        }
      });
    },
    flush,
    settled: () =>
      new Promise<void>((resolve) => {
        const check = () => (answers.length === 0 ? resolve() : setImmediate(check));
        check();
      }),
    pending: () => queue.length,
    wake() {
      if (!retry) return;
      clearTimeout(retry);
      retry = null;
      drain(false);
    },
    stats: () => ({ commits, jobs, txMs, backgroundCommits }),
  };
}
