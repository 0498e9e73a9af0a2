/**
 * Parsing off the main thread. MIME indexing and search-text extraction cost more CPU than
 * the SQL of an append, so messages are parsed by worker threads while the main thread
 * keeps committing: with `size` workers every message of 4 KiB or more, and whatever the
 * size, every message of 1 MiB or more (one worker, started on first use), so a large
 * message never blocks the event loop for the length of its parse. Results come back in request order (appends keep their
 * submission order, so UIDs follow it). Any worker trouble falls back to parsing inline.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { MimeIndex } from '../../mime/types.js';
import type { Summarizer } from '../summary-types.js';
import { prepareBody, type PreparedBody, type PreparedFields } from './rows.js';

/** messages smaller than this are parsed inline (posting them costs about as much) */
export const WORKER_MIN_BYTES = 4096;
/**
 * messages this large are always parsed by a worker, whatever the pool size: indexing tens
 * of MiB takes long enough to stall every connection of the process if done inline
 */
export const ALWAYS_WORKER_BYTES = 1024 * 1024;

export interface ParsePool {
  /**
   * `summary: false`: the summarizer's text is not wanted (a delivery whose every copy gets
   * a prefix summarizes each prefixed copy instead, rows.ts prefixedBody); it is left undefined
   */
  prepare(raw: Buffer, index?: MimeIndex, opts?: { summary?: boolean }): Promise<PreparedBody>;
  close(): Promise<void>;
  /** messages parsed by workers and inline so far */
  stats(): { worker: number; inline: number };
}

interface Pending {
  resolve: (f: PreparedFields) => void;
  reject: (e: Error) => void;
}

export function defaultParseWorkers(): number {
  return Math.min(2, Math.max(0, availableParallelism() - 1));
}

export function createParsePool(size: number, log?: Logger, maxDepth?: number, summarizer?: Summarizer): ParsePool {
  const workers: Array<{ w: Worker; busy: number }> = [];
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let viaWorkers = 0;
  let inline = 0;
  /** workers for ordinary messages; large ones get one even when size is 0 */
  const maxWorkers = Math.max(1, size);
  let broken = false;
  let chain: Promise<unknown> = Promise.resolve();

  // requests that will never be answered are parsed inline instead (see prepare)
  function failAll(err: Error): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
  }

  function spawn(): { w: Worker; busy: number } | null {
    try {
      const self = import.meta.url;
      const file = new URL(self.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', self);
      // under tsx (tests, development) the worker registers the TypeScript loader first
      const w = self.endsWith('.ts')
        ? new Worker(
            `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(file.href)}); });`,
            { eval: true },
          )
        : new Worker(file);
      const entry = { w, busy: 0 };
      w.unref();
      w.on('message', (m: { id: number; fields?: PreparedFields; error?: string }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        entry.busy--;
        if (m.fields) p.resolve(m.fields);
        else p.reject(new Error(m.error ?? 'parse worker failed'));
      });
      w.on('error', (err) => {
        log?.warn({ err }, 'store: a parse worker failed; parsing on the main thread from now on');
        broken = true;
        failAll(err);
      });
      w.on('exit', () => {
        broken = true;
        failAll(new Error('parse worker exited'));
      });
      workers.push(entry);
      return entry;
    } catch (err) {
      log?.warn({ err }, 'store: cannot start a parse worker; parsing on the main thread');
      broken = true;
      return null;
    }
  }

  function viaWorker(raw: Buffer): Promise<PreparedFields> {
    let entry = workers.find((e) => e.busy === 0) ?? null;
    if (!entry && workers.length < maxWorkers) entry = spawn();
    entry ??= workers.reduce<{ w: Worker; busy: number } | null>((a, b) => (!a || b.busy < a.busy ? b : a), null);
    if (!entry) return Promise.reject(new Error('no parse worker'));
    const id = nextId++;
    const e = entry;
    return new Promise<PreparedFields>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      e.busy++;
      e.w.postMessage({ id, raw, maxDepth });
    });
  }

  return {
    prepare(raw, index, opts) {
      let work: Promise<PreparedBody>;
      const summarize = opts?.summary === false ? undefined : summarizer;
      const here = (): PreparedBody => {
        inline++;
        return prepareBody(raw, index, maxDepth, summarize);
      };
      const offThread = raw.length >= ALWAYS_WORKER_BYTES || (size > 0 && raw.length >= WORKER_MIN_BYTES);
      if (broken || index || !offThread) work = Promise.resolve().then(here);
      else
        work = viaWorker(raw).then((fields) => {
          viaWorkers++;
          // the summarizer runs here: a worker has none
          const summary = summarize?.summarize(JSON.parse(fields.mimeJson) as MimeIndex);
          return { raw, ...fields, summary };
        }, here);
      // hand results out in request order
      const ordered = chain.then(() => work);
      chain = ordered.catch(() => undefined);
      return ordered;
    },
    stats: () => ({ worker: viaWorkers, inline }),
    async close() {
      broken = true;
      failAll(new Error('store closing'));
      await Promise.all(workers.map((e) => e.w.terminate()));
      workers.length = 0;
    },
  };
}
