/**
 * Cross-process changes. Every commit writes its Change[] to `change_log` tagged with the
 * writing process's id. While anybody in this process listens on the bus, we read the log
 * rows other writers added and publish them: at once when another process wakes us
 * (wakeup.ts, the unix socket of `letterbox serve`, which wakes only processes that listen),
 * and every POLL_MS as a fallback while no wake-up socket is connected (SLOW_POLL_MS while
 * one is: a safety net only). A poll
 * costs one `PRAGMA data_version` (it changes only when ANOTHER connection committed).
 * Old rows are pruned.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Change } from '../types.js';

export const POLL_MS = 250;
export const SLOW_POLL_MS = 5000;
/** change-log rows older than this are deleted (a poller is never that far behind) */
export const CHANGE_LOG_KEEP_MS = 10 * 60_000;

/**
 * most change-log rows read to catch a process's flag cache up with what others committed
 * while it did not listen (more: the cache's stale mailboxes are read again instead)
 */
export const CATCH_UP_ROWS = 2000;

/**
 * Deletes the change-log rows stamped before `before`: those ahead of the first row stamped
 * at or after it (ids ascend in commit order, and so do the stamps unless the clock steps
 * back, when a row stamped earlier behind a later one is kept: never a row too young is
 * deleted). Without an index on the stamp, which every commit would write a page of: the
 * rows walked are the ones deleted, plus one.
 */
export function pruneChangeLog(db: Database.Database): (before: number) => void {
  const del = db.prepare(
    `DELETE FROM change_log WHERE id < coalesce((SELECT id FROM change_log WHERE created_at >= ? ORDER BY id LIMIT 1), (SELECT max(id) + 1 FROM change_log))`,
  );
  return (before) => void del.run(before);
}

export interface Watcher {
  /** call when the subscriber count changes */
  update(subscribers: number): void;
  /** one poll now (tests, and before stopping) */
  poll(): void;
  /**
   * while nobody here listens: brings what this process keeps in memory up to date with the
   * others' commits, the rows since it last read going to `absorb` only (no bus subscriber is
   * there to tell), when they are at most CATCH_UP_ROWS
   */
  catchUp(): void;
  stop(): void;
}

export function createWatcher(
  db: Database.Database,
  writer: string,
  publish: (changes: Change[]) => void,
  log?: Logger,
  /** the wake-up connection, when there is one: polls become rare while it is connected */
  wakeup?: { readonly connected: boolean; retry(): void; listen(on: boolean): void },
  /** other processes' changes read while nobody here listens (the flag cache) */
  absorb?: (changes: Change[]) => void,
): Watcher {
  // prepared once: db.pragma() compiles the statement at every call (5 µs idle, ~30 µs on the
  // busy VM), and every wake-up polls
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const versionOf = () => dataVersion.get() as number;
  const maxId = db.prepare('SELECT coalesce(max(id), 0) AS id FROM change_log');
  const since = db.prepare('SELECT id, writer, changes FROM change_log WHERE id > ? ORDER BY id');
  const sinceLimited = db.prepare('SELECT id, writer, changes FROM change_log WHERE id > ? ORDER BY id LIMIT ?');
  let lastId = (maxId.get() as { id: number }).id;
  let lastVersion = versionOf();
  let timer: NodeJS.Timeout | null = null;

  function poll(): void {
    try {
      const v = versionOf();
      if (v === lastVersion) return;
      lastVersion = v;
      for (const row of since.all(lastId) as Array<{ id: number; writer: string; changes: string }>) {
        lastId = row.id;
        if (row.writer === writer) continue;
        publish(JSON.parse(row.changes) as Change[]);
      }
    } catch (err) {
      log?.warn({ err }, 'store: reading changes made by other processes failed; will retry');
    }
  }

  /** rows other processes added while nobody here listened: to `absorb`, then skipped */
  function absorbBacklog(): void {
    try {
      const v = versionOf();
      if (v === lastVersion) return;
      const rows = absorb ? (sinceLimited.all(lastId, CATCH_UP_ROWS + 1) as Array<{ id: number; writer: string; changes: string }>) : [];
      if (rows.length > 0 && rows.length <= CATCH_UP_ROWS) {
        for (const row of rows) if (row.writer !== writer) absorb!(JSON.parse(row.changes) as Change[]);
        lastId = rows[rows.length - 1]!.id;
      } else lastId = (maxId.get() as { id: number }).id;
      lastVersion = v;
    } catch (err) {
      log?.warn({ err }, 'store: reading changes made by other processes failed; will retry');
    }
  }

  return {
    update(subscribers) {
      if (subscribers > 0 && !timer) {
        // what happened while nobody listened is not published (no session was there to
        // hear it), only kept up to date in memory
        absorbBacklog();
        const tick = () => {
          poll();
          if (!wakeup?.connected) wakeup?.retry();
          timer = setTimeout(tick, wakeup?.connected ? SLOW_POLL_MS : POLL_MS);
          timer.unref();
        };
        timer = setTimeout(tick, wakeup?.connected ? SLOW_POLL_MS : POLL_MS);
        timer.unref();
        wakeup?.listen(true);
      } else if (subscribers === 0 && timer) {
        clearTimeout(timer);
        timer = null;
        wakeup?.listen(false);
      }
    },
    poll,
    catchUp() {
      // while this process listens, the wake-up brings the rows (published to its sessions
      // in their own turn, never from inside the store call that found the cache stale)
      if (!timer) absorbBacklog();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
