/**
 * Work shared by several processes on one store (PostgreSQL nodes, `serve --workers N`
 * on one SQLite file): who delivers which queued message, who holds a POP3 maildrop.
 *
 * - A claim or lease is held by a `holder` (a string naming one process or session) until
 *   a time; a holder that dies simply lets it run out, and then anyone may take it.
 * - Claims on queue items are exclusive: concurrent claimQueueItems calls never return the
 *   same item while its claim is live (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write
 *   lock; memory: one process).
 * - Counters shared between processes (rate limits, failed logins) use the keyed state's
 *   atomic kvAdd (kv-types.ts; helpers in ./rate.ts), not this file.
 */
import type { QueueItem } from './types.js';

export interface LeaseOps {
  /**
   * Due queue items (nextAttemptAt <= now) that nobody holds a live claim on, oldest due
   * first, now claimed by `holder` until now + leaseMs.
   */
  claimQueueItems(now: Date, limit: number, holder: string, leaseMs: number): Promise<QueueItem[]>;
  /** gives back `holder`'s claims on these items (after an attempt was recorded) */
  releaseQueueItems(ids: string[], holder: string): Promise<void>;
  /**
   * Takes or renews the exclusive lease `name` for `holder` until now + ttlMs; true when
   * `holder` holds it now (it was free, expired, or already held by `holder`).
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** ends `holder`'s lease on `name`; true when it held it */
  releaseLease(name: string, holder: string): Promise<boolean>;
}
