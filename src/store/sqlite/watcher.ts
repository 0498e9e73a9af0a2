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

export interface Watcher {
  /** call when the subscriber count changes */
  update(subscribers: number): void;
  /** one poll now (tests, and before stopping) */
  poll(): void;
  stop(): void;
}

export function createWatcher(
  db: Database.Database,
  writer: string,
  publish: (changes: Change[]) => void,
  log?: Logger,
  /** the wake-up connection, when there is one: polls become rare while it is connected */
  wakeup?: { readonly connected: boolean; retry(): void; listen(on: boolean): void },
): Watcher {
  // prepared once: db.pragma() compiles the statement at every call (5 µs idle, ~30 µs on the
  // busy VM), and every wake-up polls
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const versionOf = () => dataVersion.get() as number;
  const maxId = db.prepare('SELECT coalesce(max(id), 0) AS id FROM change_log');
  const since = db.prepare('SELECT id, writer, changes FROM change_log WHERE id > ? ORDER BY id');
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

  return {
    update(subscribers) {
      if (subscribers > 0 && !timer) {
        // skip whatever happened while nobody listened
        lastId = (maxId.get() as { id: number }).id;
        lastVersion = versionOf();
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
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
