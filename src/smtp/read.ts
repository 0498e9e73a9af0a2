/**
 * Reads the DATA stream of one SMTP transaction, the way Postfix does it: message data goes
 * to disk as it arrives, so a sender that stops before the final dot holds a file, not
 * memory that others need.
 *
 * - The first SPOOL_AFTER bytes stay in memory (most messages never touch the disk); past
 *   that, everything is written to a private file in <data_dir>/spool (mode 0600, deleted
 *   when the transaction ends however it ends).
 * - The size cap: smtp-server counts bytes and flags `sizeExceeded` (and, with
 *   rejectOversized, answers 552 itself); past the cap the stream is drained, nothing kept.
 * - Only a complete message is loaded into memory for storing. Messages being stored share
 *   one MemoryBudget per process; a message that does not fit waits its turn (FIFO) for up
 *   to BUDGET_WAIT_MS, then gets a temporary 452 4.3.1. A sender stalled in DATA holds no
 *   budget, so it can no longer starve other senders or submission.
 * - A minimum transfer rate (Postfix smtpd_min_data_rate): DATA may take the idle timeout
 *   plus one second per `minRate` bytes received; a sender slower than that is cut off.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SMTPServerDataStream } from 'smtp-server';

/** bytes of one message kept in memory before it is spooled to disk */
export const SPOOL_AFTER = 128 * 1024;
/** how long a complete message waits for memory to be stored in, before 452 */
export const BUDGET_WAIT_MS = 30_000;

/** Bytes of messages being stored, shared by every SMTP listener of a process. */
export class MemoryBudget {
  used = 0;
  private readonly waiters: Array<{ n: number; grant: () => void }> = [];
  constructor(readonly max: number) {}

  private fits(n: number): boolean {
    // a message larger than the whole budget goes alone
    return this.used + n <= this.max || this.used === 0;
  }

  /** takes n bytes, waiting up to waitMs for others to release; false when it timed out */
  acquire(n: number, waitMs = BUDGET_WAIT_MS): Promise<boolean> {
    if (this.waiters.length === 0 && this.fits(n)) {
      this.used += n;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const w = {
        n,
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
        this.wake();
      }, waitMs);
      this.waiters.push(w);
    });
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
    this.wake();
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.n)) {
      const w = this.waiters.shift()!;
      this.used += w.n;
      w.grant();
    }
  }
}

/** Where DATA spills to disk, and the memory budget of messages being stored. */
export class Spool {
  /** bytes held in memory right now by transactions still receiving (tests, metrics) */
  receiving = 0;
  /** files in the spool right now */
  files = 0;
  constructor(
    readonly dir: string,
    readonly budget: MemoryBudget,
  ) {}

  /** creates the directory and removes what a previous run left (a crash mid-DATA) */
  static create(dir: string, budget: MemoryBudget): Spool {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const f of readdirSync(dir)) if (f.endsWith('.msg')) rmSync(join(dir, f), { force: true });
    return new Spool(dir, budget);
  }
}

export type ReadResult =
  | { ok: true; raw: Buffer; release(): void }
  | { ok: false; reason: 'too-big' | 'busy' | 'too-slow' };

export interface ReadOptions {
  maxBytes: number;
  spool: Spool;
  /** seconds DATA may take beyond bytes / minRate (limits.smtp_idle_timeout_s) */
  graceS: number;
  /** bytes per second (limits.smtp_min_data_rate); 0 = no minimum */
  minRate: number;
  /** called once when the sender is too slow: end the connection (the stream then ends) */
  onTooSlow(elapsedS: number, bytes: number): void;
}

export async function readMessage(stream: SMTPServerDataStream, o: ReadOptions): Promise<ReadResult> {
  const { spool } = o;
  const chunks: Buffer[] = [];
  let held = 0; // in memory, counted in spool.receiving
  let size = 0;
  let file: { path: string; fh: FileHandle } | null = null;
  let tooBig = false;
  let tooSlow = false;
  const started = Date.now();
  const timer =
    o.minRate > 0
      ? setInterval(() => {
          const elapsed = (Date.now() - started) / 1000;
          if (!tooSlow && elapsed > o.graceS + size / o.minRate) {
            tooSlow = true;
            o.onTooSlow(elapsed, size);
          }
        }, 1000)
      : null;
  timer?.unref();
  const dropMemory = () => {
    spool.receiving -= held;
    held = 0;
    chunks.length = 0;
  };
  const dropFile = async () => {
    if (!file) return;
    const f = file;
    file = null;
    spool.files--;
    await f.fh.close().catch(() => undefined);
    await rm(f.path, { force: true });
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (tooBig || tooSlow) continue;
      if (size > o.maxBytes) {
        tooBig = true;
        dropMemory();
        await dropFile();
        continue;
      }
      if (!file && held + chunk.length <= SPOOL_AFTER) {
        chunks.push(chunk);
        held += chunk.length;
        spool.receiving += chunk.length;
        continue;
      }
      if (!file) {
        const path = join(spool.dir, `${process.pid}-${randomBytes(8).toString('hex')}.msg`);
        file = { path, fh: await open(path, 'wx', 0o600) };
        spool.files++;
        for (const c of chunks) await file.fh.write(c);
        dropMemory();
      }
      await file.fh.write(chunk); // awaited: a slow disk slows the sender (TCP back-pressure)
    }
    if (stream.sizeExceeded) tooBig = true;
    if (tooBig || tooSlow) {
      dropMemory();
      await dropFile();
      return { ok: false, reason: tooBig ? 'too-big' : 'too-slow' };
    }
    // complete: load it for storing, within the memory budget
    const got = await spool.budget.acquire(size);
    if (!got) {
      dropMemory();
      await dropFile();
      return { ok: false, reason: 'busy' };
    }
    let raw: Buffer;
    try {
      raw = file ? await readFile(file.path) : Buffer.concat(chunks, size);
    } catch (err) {
      spool.budget.release(size);
      throw err;
    } finally {
      dropMemory();
      await dropFile();
    }
    let released = false;
    return {
      ok: true,
      raw,
      release: () => {
        if (released) return;
        released = true;
        spool.budget.release(size);
      },
    };
  } catch (err) {
    dropMemory();
    await dropFile();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
  }
}
