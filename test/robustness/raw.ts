/**
 * Socket-level test tools shared by the robustness and end-to-end suites: a recorder for
 * uncaught exceptions / unhandled rejections, a seeded RNG, and a raw byte-level client.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import assert from 'node:assert/strict';
import { seededRandom } from '../helpers/random.js';

// ───────────── crash recorder ─────────────

export interface CrashRecorder {
  errors: string[];
  dispose(): void;
  assertClean(): void;
}

/** Records uncaught exceptions and unhandled rejections for the lifetime of a test file. */
export function recordCrashes(): CrashRecorder {
  const errors: string[] = [];
  const onErr = (e: unknown) => errors.push(`uncaughtException: ${(e as Error)?.stack ?? String(e)}`);
  const onRej = (e: unknown) => errors.push(`unhandledRejection: ${(e as Error)?.stack ?? String(e)}`);
  process.on('uncaughtException', onErr);
  process.on('unhandledRejection', onRej);
  return {
    errors,
    dispose() {
      process.off('uncaughtException', onErr);
      process.off('unhandledRejection', onRej);
    },
    assertClean() {
      assert.deepEqual(errors, [], 'no uncaught exception / unhandled rejection in the server');
    },
  };
}

// ───────────── seeded RNG ─────────────

/** mulberry32: small, fast, deterministic */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(a: readonly T[]): T; bytes(n: number): Buffer } {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (a) => a[int(a.length)],
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

// ───────────── raw client ─────────────

/** A byte-level client: sends whatever it is given, collects everything received. */
export class RawClient {
  buf = Buffer.alloc(0);
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  private attach(s: net.Socket): void {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    s.on('close', () => {
      this.closed = true;
      this.wake();
    });
    s.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static connect(port: number, useTls = false): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = useTls
        ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(new RawClient(s)))
        : net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** writes, ignoring EPIPE/ECONNRESET (the server may already have hung up) */
  write(data: string | Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, () => undefined);
  }

  get text(): string {
    return this.buf.toString('latin1');
  }

  /** waits until pred(text) holds, the socket closes, or the time is up; returns whether pred held */
  async until(pred: (text: string) => boolean, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (pred(this.text)) return true;
      if (this.closed) return pred(this.text);
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** like until() but fails the test with what was received when the time is up */
  async expect(pred: (text: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
    const ok = await this.until(pred, timeoutMs);
    assert.ok(ok, `${what}; closed=${this.closed}; received: ${JSON.stringify(this.text.slice(-600))}`);
    return this.text;
  }

  /** drops what was received so far */
  take(): string {
    const t = this.text;
    this.buf = Buffer.alloc(0);
    return t;
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs).then(() => this.closed);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
