/**
 * Full-text indexing after the commit. A new blob lies above fts_state's indexed mark
 * (fulltext.ts: nothing is written for it in its message's transaction), and is indexed
 * later, several at a time, in a transaction of its own: FTS5 writes a segment per
 * transaction, so indexing one message per commit cost about 0.44 ms of CPU per message on
 * the development machine against 0.27 ms in batches of 4 or more, and the APPEND / SMTP 250
 * no longer waits for it. Searches scan the waiting blobs' stored text meanwhile
 * (search-sql.ts), so a search answers the same before and after a blob is indexed.
 *
 * When: as soon as FTS_BATCH blobs are waiting (THREAD_BATCH when the thread indexes; right
 * after the commit that stored them, while its fsync runs on the thread pool), else IDLE_MS
 * after the first one. Upkeep, not a caller's change: committed without an fsync (a crash
 * leaves the blobs above the mark, and the next open indexes them) and counted apart in the
 * committer's stats. The blobs are picked inside the write transaction and the mark moved in
 * it, so `serve --workers` processes never index one twice.
 *
 * Where: on `thread` (./fts-thread.ts, a worker with its own connection) when the store has
 * one, else on the event loop in the committer's queue; drain() (close, tests) runs on the
 * event loop (the thread may be indexing meanwhile: the write lock orders the two, and each
 * picks its blobs inside its transaction).
 */
import type { Ctx } from './context.js';
import type { FtsThread } from './fts-thread.js';

/** blobs waiting before an indexing run on the event loop starts without waiting for IDLE_MS */
export const FTS_BATCH = 8;
/** most blobs per indexing transaction (about 9 ms of event loop for 5 KB messages) */
const MAX_PER_RUN = 32;
/**
 * the same when the thread indexes: it holds no event loop, and its transaction costs less
 * per blob the more blobs share it (FTS5's segment flush and the commit's pages: on the
 * corpus about 50 µs of CPU per blob in runs of 8, 27 in runs of 32), so it waits for a full
 * run or IDLE_MS. A commit of the event loop that meets its write lock goes on when it
 * answers (committer.ts wake)
 */
const THREAD_BATCH = MAX_PER_RUN;
/** a lone new blob is indexed this long after its commit */
const IDLE_MS = 50;

export interface FtsQueue {
  /** a blob was listed in the running transaction */
  added(): void;
  /** indexes everything listed now (close, tests); resolves after the commit */
  drain(): Promise<void>;
  /** no more runs (close): the timer is cleared */
  stop(): void;
}

export function createFtsQueue(ctx: Ctx, thread?: FtsThread): FtsQueue {
  let waiting = 0;
  /** highest blob id looked at by this process (blob ids only grow: AUTOINCREMENT) */
  let after = 0;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let soon = false;
  let stopped = false;

  /** one transaction indexing up to `limit` blobs on the event loop; true when more may be waiting */
  const onLoop = async (limit: number): Promise<boolean> =>
    ctx.mutate(
      () => {
        const r = ctx.fulltext.indexPending(after, limit);
        after = r.last;
        return { value: r.seen === limit, changes: [] };
      },
      { durable: false, background: true },
    );
  /** the same on the thread when there is one that works */
  const runOnce = (limit: number): Promise<boolean> => (thread && !thread.broken ? thread.run(limit).catch(() => onLoop(limit)) : onLoop(limit));
  /** blobs waiting that start a run at once */
  const batch = (): number => (thread && !thread.broken ? THREAD_BATCH : FTS_BATCH);

  function run(): void {
    soon = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (running || stopped) return;
    running = true;
    waiting = 0;
    runOnce(MAX_PER_RUN).then(
      (more) => {
        running = false;
        if (more || waiting >= batch()) runSoon();
        else if (waiting > 0) schedule();
      },
      (err) => {
        // a full disk or the like: the blobs stay listed (searched by scan) until the next run
        running = false;
        ctx.log?.warn({ err }, 'store: full-text indexing failed; the messages stay searchable by scan and are indexed later');
      },
    );
  }

  function runSoon(): void {
    if (soon || stopped) return;
    soon = true;
    setImmediate(run);
  }

  function schedule(): void {
    if (stopped || timer || running) return;
    timer = setTimeout(run, IDLE_MS);
    timer.unref();
  }

  // blobs listed by a process that stopped before indexing them (kill -9, crash)
  schedule();

  return {
    added() {
      waiting++;
      if (waiting >= batch() && !running) runSoon();
      else schedule();
    },
    async drain() {
      await onLoop(-1); // LIMIT -1: every one
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
