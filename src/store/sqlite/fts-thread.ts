/**
 * Full-text indexing off the event loop (fts-queue.ts decides when, this thread does it):
 * one worker thread (./fts-worker.ts) with its own connection to the store's file, started
 * on first use. Indexing took about 0.3 ms of the event loop per SMTP delivery (FTS5's
 * tokenizer and segment writes, the vocabulary's new terms): a seventh of what one delivery
 * costs it. Nothing but a blob count crosses threads: the worker reads the texts from the
 * file. While it holds the write lock the event loop's commits wait for it the way they
 * wait for another `serve --workers` process (committer.ts), serving connections meanwhile,
 * and go on as soon as the worker answers (`released`: no timer between).
 * A worker that cannot start or fails leaves the indexing to the event loop (`broken`).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

export interface FtsThread {
  /** indexes up to `limit` listed blobs in one transaction; true when more may be waiting */
  run(limit: number): Promise<boolean>;
  /** the worker could not start or failed: index on the event loop instead */
  readonly broken: boolean;
  /** lets a running transaction finish, closes the worker's connection and ends it */
  stop(): Promise<void>;
}

/** `released`: called after each of the worker's transactions ended (the write lock is free again; committer.ts wake) */
export function createFtsThread(file: string, busyTimeoutMs: number, log?: Logger, released?: () => void): FtsThread {
  let worker: Worker | null = null;
  let broken = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (more: boolean) => void; reject: (e: Error) => void }>();
  let stopped: (() => void) | null = null;

  function fail(err: Error): void {
    broken = true;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
    stopped?.();
  }

  function start(): Worker | null {
    try {
      const self = import.meta.url;
      const url = new URL(self.endsWith('.ts') ? './fts-worker.ts' : './fts-worker.js', self);
      const workerData = { file, busyTimeoutMs };
      // under tsx (tests, development) the worker registers the TypeScript loader first (as parse-pool.ts)
      const w = self.endsWith('.ts')
        ? new Worker(
            `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`,
            { eval: true, workerData },
          )
        : new Worker(url, { workerData });
      w.unref();
      w.on('message', (m: { id?: number; more?: boolean; error?: string; stopped?: boolean }) => {
        if (m.stopped) return stopped?.();
        released?.();
        const p = pending.get(m.id!);
        if (!p) return;
        pending.delete(m.id!);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.more === true);
      });
      w.on('error', (err) => {
        log?.warn({ err }, 'store: the full-text indexing thread failed; indexing on the event loop from now on');
        fail(err);
      });
      w.on('exit', () => fail(new Error('full-text indexing thread exited')));
      return w;
    } catch (err) {
      log?.warn({ err }, 'store: cannot start the full-text indexing thread; indexing on the event loop');
      broken = true;
      return null;
    }
  }

  return {
    get broken() {
      return broken;
    },
    run(limit) {
      worker ??= broken ? null : start();
      const w = worker;
      if (!w || broken) return Promise.reject(new Error('no full-text indexing thread'));
      const id = nextId++;
      return new Promise<boolean>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, limit });
      });
    },
    async stop() {
      const w = worker;
      if (!w || broken) {
        broken = true;
        return;
      }
      // after whatever it was asked before (messages are handled in order)
      await new Promise<void>((resolve) => {
        stopped = resolve;
        w.postMessage({ stop: true });
      });
      broken = true;
      await w.terminate();
    },
  };
}
