/**
 * Group commit. Mutations requested in the same tick are queued and run in ONE
 * transaction (one WAL fsync with synchronous=FULL); each runs in its own savepoint so
 * a failing one (OVERQUOTA, NONEXISTENT…) rolls back alone. After the commit, the
 * changes of every job are published on the bus in commit order, then each caller's
 * promise settles. If the commit itself fails, every job of the batch fails with TEMP.
 *
 * Durability per batch: a batch holding any durable job (messages arriving, moving or
 * leaving, accounts, queue…) commits with synchronous=FULL, so it is fsynced before any
 * caller hears back (SMTP 250, APPEND OK). A batch of flag-only jobs (STORE, \Seen set by
 * FETCH or POP3 RETR, \Recent bookkeeping) commits with synchronous=NORMAL: in WAL mode the
 * transaction is in the WAL file before the promise resolves, so it survives a crash or
 * kill -9 of the process; only an operating-system crash or power loss can drop the last
 * flag changes (the next FULL commit or checkpoint fsyncs them along). Dovecot does not
 * fsync flag changes at all; an fsync per STORE would cap a client at the disk's fsync rate.
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
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface Committer {
  /** queues `fn` for the next group commit; resolves with its value after the commit */
  submit<T>(fn: () => JobResult<T>, opts?: { durable?: boolean }): Promise<T>;
  /** runs everything queued now (used by close) */
  flush(): void;
  pending(): number;
  /** transactions committed and jobs run so far (group-commit effectiveness) */
  stats(): { commits: number; jobs: number; txMs: number };
}

export function createCommitter(
  db: Database.Database,
  opts: {
    /** called inside the transaction for each successful job (change log) */
    record(changes: Change[]): void;
    publish(changes: Change[]): void;
    log?: Logger;
    /** most jobs per transaction */
    maxBatch?: number;
  },
): Committer {
  let queue: Job[] = [];
  let scheduled = false;
  let commits = 0;
  let jobs = 0;
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

  function flush(): void {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
      runBatch(batch);
    }
  }

  function runBatch(batch: Job[]): void {
    const outcomes: Array<{ ok: true; r: JobResult<unknown> } | { ok: false; err: unknown }> = [];
    const whole = db.transaction(() => {
      for (const job of batch) {
        const one = db.transaction(() => {
          const r = job.run();
          if (r.changes.length > 0) opts.record(r.changes);
          return r;
        });
        try {
          outcomes.push({ ok: true, r: one() });
        } catch (err) {
          if (!(err instanceof StoreError)) opts.log?.error({ err }, 'store: a mutation failed unexpectedly and was rolled back');
          outcomes.push({ ok: false, err: err instanceof StoreError ? err : new StoreError('TEMP', `store error: ${(err as Error).message}`) });
        }
      }
    });
    const t0 = performance.now();
    try {
      setFull(batch.some((j) => j.durable));
      whole.immediate();
      txMs += performance.now() - t0;
    } catch (err) {
      opts.log?.error({ err, jobs: batch.length }, 'store: commit failed; the batch was rolled back and its callers get a temporary error');
      const e = new StoreError('TEMP', `the store could not commit: ${(err as Error).message}`);
      for (const job of batch) job.reject(e);
      return;
    }
    commits++;
    jobs += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const o = outcomes[i]!;
      if (o.ok) {
        try {
          opts.publish(o.r.changes);
        } catch (err) {
          opts.log?.error({ err }, 'store: a change listener failed');
        }
        batch[i]!.resolve(o.r.value);
      } else batch[i]!.reject(o.err);
    }
  }

  return {
    submit<T>(fn: () => JobResult<T>, o?: { durable?: boolean }): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ run: fn, durable: o?.durable ?? true, resolve: resolve as (v: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    flush,
    pending: () => queue.length,
    stats: () => ({ commits, jobs, txMs }),
  };
}
