/** POP3 download rate: one client retrieves a whole maildrop (RETR every message, no DELE). */
import * as net from 'node:net';
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';
import { appendMessages, cpuFigures } from './imap.js';
import { cpuSplit } from '../lib/load.js';
import { processTree } from '../lib/proc.js';

const LF = 0x0a;
/** the end of a multi-line response: CRLF "." CRLF (the first CRLF may be the status line's) */
const END = Buffer.from('\r\n.\r\n');

/**
 * The load client. Each byte received is scanned once, where it arrives (Buffers, no string
 * building): the status line is kept, a multi-line body is only searched for its terminator,
 * across chunk boundaries through the last four bytes of the previous chunk. On a 2-core
 * machine the client's CPU competes with the server's, so it must not be what limits the rate.
 */
interface Waiter {
  multi: boolean;
  resolve: (status: string) => void;
  reject: (e: Error) => void;
}

class Pop3 {
  private waiters: Waiter[] = [];
  /** bytes that came before anyone asked for them */
  private early: Buffer[] = [];
  /** the current response's status line so far, and whether it is complete */
  private head = '';
  private headDone = false;
  /** the last (up to 4) bytes of the current body seen in earlier chunks */
  private tail: Buffer = Buffer.alloc(0);
  bytes = 0;
  constructor(private s: net.Socket) {
    s.on('data', (d: Buffer) => {
      this.bytes += d.length;
      this.take(d);
    });
    s.on('close', () => this.waiters.splice(0).forEach((w) => w.reject(new Error('closed'))));
    s.on('error', () => {});
  }
  private take(d: Buffer): void {
    let pos = 0;
    while (pos < d.length) {
      const w = this.waiters[0];
      if (!w) {
        this.early.push(d.subarray(pos));
        return;
      }
      if (!this.headDone) {
        const lf = d.indexOf(LF, pos);
        this.head += d.toString('latin1', pos, lf < 0 ? d.length : lf + 1);
        if (lf < 0) return;
        pos = lf + 1;
        this.headDone = true;
        if (!w.multi || this.head.startsWith('-ERR')) {
          this.finish(w);
          continue;
        }
        this.tail = Buffer.from('\r\n');
      }
      const end = this.bodyEnd(d, pos);
      if (end < 0) {
        const t = Buffer.concat([this.tail, d.subarray(Math.max(pos, d.length - 4))]);
        this.tail = t.subarray(Math.max(0, t.length - 4));
        return;
      }
      pos = end;
      this.finish(w);
    }
  }
  /** index in `d` just past the body's terminator, or -1 */
  private bodyEnd(d: Buffer, pos: number): number {
    const c = d[pos];
    if (c === 0x0d || c === 0x0a || c === 0x2e) {
      // the terminator may begin in the previous chunk
      const edge = Buffer.concat([this.tail, d.subarray(pos, pos + 4)]);
      const k = edge.indexOf(END);
      if (k >= 0) return pos + k + 5 - this.tail.length;
    }
    const j = d.indexOf(END, pos);
    return j < 0 ? -1 : j + 5;
  }
  private finish(w: Waiter): void {
    const status = this.head.trimEnd();
    this.head = '';
    this.headDone = false;
    this.waiters.shift();
    w.resolve(status);
  }
  static async connect(port: number): Promise<Pop3> {
    const s = net.connect({ port, host: '127.0.0.1' });
    const c = new Pop3(s);
    await c.read(false);
    return c;
  }
  /** the response's status line (without CRLF); a multi-line body is read and counted, not kept */
  read(multi: boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ multi, resolve, reject });
      for (const d of this.early.splice(0)) this.take(d);
    });
  }
  async cmd(line: string, multi = false): Promise<string> {
    this.s.write(line + '\r\n');
    const r = await this.read(multi);
    if (!r.startsWith('+OK')) throw new Error(`POP3 ${line.split(' ')[0]}: ${r.slice(0, 200)}`);
    return r;
  }
  close(): void {
    this.s.destroy();
  }
}

/** RETR 1..n pipelined in windows of 10 (both servers advertise PIPELINING); returns seconds and bytes */
async function retrAll(c: Pop3, n: number): Promise<{ s: number; bytes: number }> {
  const b0 = c.bytes;
  const t0 = process.hrtime.bigint();
  for (let i = 1; i <= n; i += 10) {
    const batch: Promise<string>[] = [];
    for (let j = i; j < Math.min(n + 1, i + 10); j++) batch.push(c.cmd(`RETR ${j}`, true));
    await Promise.all(batch);
  }
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, bytes: c.bytes - b0 };
}

async function pop3Login(t: Target, user: string, expect: number): Promise<Pop3> {
  const c = await Pop3.connect(t.pop3Port);
  await c.cmd(`USER ${user}@${t.domain}`);
  await c.cmd('PASS bench-password');
  const n = Number((await c.cmd('STAT')).split(' ')[1]);
  if (n !== expect) throw new Error(`POP3 STAT says ${n} messages, expected ${expect}`);
  return c;
}

/**
 * RETR of a small maildrop of its own (`user`), not timed: the same work before the clock
 * starts on every target. `sessions` downloads one after the other, each on a connection of
 * its own: `serve --workers N` hands connections to its workers in turn, so with sessions >= N
 * every worker is warm, not only the one the first connection reached.
 */
async function warmUp(t: Target, corpus: Buffer[], user: string, count = 200, sessions = 1): Promise<void> {
  await t.addUsers([user], 'bench-password');
  await appendMessages(t, user, corpus, count, 4);
  for (let i = 0; i < sessions; i++) {
    const w = await pop3Login(t, user, count);
    await retrAll(w, count);
    await w.cmd('QUIT');
    w.close();
  }
}

/**
 * One client downloads a maildrop of `count` messages. Before the clock starts, every target
 * alike gets the same RETRs once on a small warm-up maildrop, so the figure is the server's
 * steady rate and not a fresh process's JIT warm-up (as the imap step's warm-up mailbox);
 * `mark` starts the profile window at the measured download, after the maildrop was built.
 */
export async function pop3Download(t: Target, corpus: Buffer[], count: number, mark: (phase: string) => void = () => {}): Promise<Figure[]> {
  await warmUp(t, corpus, 'popwarm');
  await t.addUsers(['pop'], 'bench-password');
  await appendMessages(t, 'pop', corpus, count, 4);
  const c = await pop3Login(t, 'pop', count);
  mark('retr');
  const cpu = cpuSplit(() => t.rootPids().flatMap((p) => processTree(p)));
  const { s, bytes } = await retrAll(c, count);
  const used = cpu();
  await c.cmd('QUIT');
  c.close();
  return [
    { key: 'pop3.retr_rate', label: `POP3 RETR of ${count} messages`, unit: 'msg/s', better: 'higher', value: count / s },
    { key: 'pop3.retr_mbps', label: 'POP3 download', unit: 'MB/s', better: 'higher', value: bytes / 1e6 / s },
    ...cpuFigures('pop3.retr', 'POP3 RETR, 1 client', 'message', count, used),
  ];
}

/** `clients` POP3 clients, each on its own account of `perClient` messages, downloading at once (aggregate rate), after the warm-up of pop3Download once per client (so every worker of `serve --workers` is warm) */
export async function pop3Parallel(t: Target, corpus: Buffer[], clients: number, perClient: number): Promise<Figure[]> {
  await warmUp(t, corpus, 'poppwarm', 200, clients);
  const users = Array.from({ length: clients }, (_, i) => `popp${i + 1}`);
  await t.addUsers(users, 'bench-password');
  for (const u of users) await appendMessages(t, u, corpus, perClient, 2);
  const conns = await Promise.all(users.map((u) => pop3Login(t, u, perClient)));
  const t0 = process.hrtime.bigint();
  const cpu = cpuSplit(() => t.rootPids().flatMap((p) => processTree(p)));
  await Promise.all(conns.map((c) => retrAll(c, perClient)));
  const used = cpu();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(conns.map(async (c) => (await c.cmd('QUIT'), c.close())));
  return [
    { key: `pop3.retr_parallel_${clients}`, label: `POP3 RETR, ${clients} clients at once (${clients} × ${perClient} msgs)`, unit: 'msg/s', better: 'higher', value: (clients * perClient) / s },
    ...cpuFigures(`pop3.retr_parallel_${clients}`, `POP3 RETR, ${clients} clients`, 'message', clients * perClient, used),
  ];
}
