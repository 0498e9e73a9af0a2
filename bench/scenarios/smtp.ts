/**
 * Inbound SMTP with durable delivery: C concurrent senders submit corpus messages to local
 * users; the clock stops when every message is readable in its mailbox (for letterbox at the
 * 250; for Postfix after its queue handed the message to Dovecot LMTP). CPU time of the
 * server process trees over the same interval gives CPU per delivered message.
 */
import * as net from 'node:net';
import { RawImap } from '../lib/imap-client.js';
import { processTree, serverCpuWindow, treeCpuSeconds } from '../lib/proc.js';
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';

export class SmtpClient {
  private buf = '';
  private waiter: ((line: string) => void) | null = null;
  constructor(private s: net.Socket) {
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      this.buf += d;
      this.pump();
    });
    s.on('error', () => {});
  }
  private pump(): void {
    // a reply ends with a line "ddd <text>" (no dash)
    for (;;) {
      if (!this.waiter) return;
      const m = /(^|\n)(\d{3}) [^\n]*\r?\n/.exec(this.buf);
      if (!m) return;
      const end = m.index + m[0].length;
      const reply = this.buf.slice(0, end);
      this.buf = this.buf.slice(end);
      const w = this.waiter;
      this.waiter = null;
      w(reply.trim().split('\n').pop()!);
    }
  }
  read(): Promise<string> {
    return new Promise((r) => {
      this.waiter = r;
      this.pump();
    });
  }
  async send(data: string | Buffer, expect: string): Promise<void> {
    this.s.write(data);
    const r = await this.read();
    if (!r.startsWith(expect)) throw new Error(`SMTP: expected ${expect}, got ${r}`);
  }
  static async connect(port: number): Promise<SmtpClient> {
    const c = new SmtpClient(net.connect({ port, host: '127.0.0.1' }));
    const g = await c.read();
    if (!g.startsWith('220')) throw new Error(`SMTP greeting: ${g}`);
    await c.send('EHLO bench.client\r\n', '250');
    return c;
  }
  close(): void {
    this.s.end('QUIT\r\n');
  }
}

export function dotStuff(msg: Buffer): Buffer {
  const s = msg.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(s.endsWith('\r\n') ? s + '.\r\n' : s + '\r\n.\r\n', 'latin1');
}

export async function inboxCounts(t: Target, users: string[]): Promise<number> {
  let sum = 0;
  await Promise.all(
    users.map(async (u) => {
      const c = await RawImap.connect(t.imapPort);
      await c.login(`${u}@${t.domain}`, 'bench-password');
      const r = await c.cmd('STATUS INBOX (MESSAGES)', { collect: true });
      const m = /MESSAGES (\d+)/.exec(r.lines.join(' '));
      sum += m ? Number(m[1]) : 0;
      await c.logout();
    }),
  );
  return sum;
}

/** `total` messages from `senders` concurrent connections, to the users in turn; resolves after the last 250 */
export async function sendMessages(t: Target, stuffed: Buffer[], total: number, senders: number, users: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      const c = await SmtpClient.connect(t.smtpPort);
      for (;;) {
        const i = next++;
        if (i >= total) break;
        await c.send(`MAIL FROM:<sender${i % 7}@remote.example>\r\n`, '250');
        await c.send(`RCPT TO:<${users[i % users.length]}@${t.domain}>\r\n`, '250');
        await c.send('DATA\r\n', '354');
        await c.send(stuffed[i % stuffed.length]!, '250');
      }
      c.close();
    }),
  );
}

/**
 * The server's CPU while the messages were sent (the step's busy-cores column averages over
 * the whole step, user creation included): the cores it used, and how much of the wall time
 * its busiest thread (letterbox's event loop) ran and sat idle (neither running nor waiting
 * for a core). Not races: they tell a rate bounded by CPU from one bounded by waiting.
 */
export function sendingLoad(what: string, key: string, busy: { cores: number; threadRun: number; threadIdle: number }): Figure[] {
  return [
    { key: `${key}.sending_cores`, label: `${what}: server cores busy until the last 250`, unit: 'cores', better: 'lower', value: busy.cores },
    { key: `${key}.sending_thread_run`, label: `${what}: its busiest thread ran`, unit: 'of wall', better: 'lower', value: busy.threadRun },
    { key: `${key}.sending_thread_idle`, label: `${what}: its busiest thread idle (waiting on I/O, timers, clients)`, unit: 'of wall', better: 'lower', value: busy.threadIdle },
  ];
}

/** messages sent and delivered before the clock starts (at most this many; see smtpInbound) */
export const SMTP_WARM_UP = 1000;

/** resolves once the users' INBOXes hold `want` messages in all (Postfix delivers after its 250) */
export async function untilDelivered(t: Target, users: string[], want: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (let n = await inboxCounts(t, users); n < want; n = await inboxCounts(t, users)) {
    if (Date.now() > deadline) throw new Error(`${what}: ${n} of ${want} messages delivered after 5 minutes`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The same senders first send min(total, SMTP_WARM_UP) messages, delivered before the clock
 * starts, so the figures are the server's steady rate and CPU, not a fresh process's JIT
 * compiling (letterbox: about a seventh of its CPU in the first thousands of messages, and
 * once per process with `serve --workers`; the connections go to the workers in turn, so each
 * is warm), as the POP3 and IMAP steps warm up before theirs. Postfix gets the same warm-up.
 */
export async function smtpInbound(t: Target, corpus: Buffer[], total: number, senders: number): Promise<Figure[]> {
  const users = Array.from({ length: 20 }, (_, i) => `rcpt${i + 1}`);
  await t.addUsers(users, 'bench-password');
  const stuffed = corpus.map(dotStuff);
  const warm = Math.min(total, SMTP_WARM_UP);
  await sendMessages(t, stuffed, warm, senders, users);
  await untilDelivered(t, users, warm, 'SMTP warm-up');
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  const cpu0 = treeCpuSeconds(pids());
  const t0 = process.hrtime.bigint();
  const sending = serverCpuWindow(pids);
  await sendMessages(t, stuffed, total, senders, users);
  const acceptedS = Number(process.hrtime.bigint() - t0) / 1e9;
  const busy = sending();
  // wait until everything is in the mailboxes (Postfix delivers after its 250)
  await untilDelivered(t, users, warm + total, 'SMTP');
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = treeCpuSeconds(pids()) - cpu0;
  return [
    { key: 'smtp.delivered_rate', label: `SMTP inbound, ${senders} senders, until delivered (${total} msgs)`, unit: 'msg/s', better: 'higher', value: total / s },
    { key: 'smtp.accept_rate', label: 'SMTP inbound, until the last 250', unit: 'msg/s', better: 'higher', value: total / acceptedS },
    { key: 'smtp.cpu_per_msg', label: 'server CPU time per delivered message', unit: 'ms', better: 'lower', value: (cpu / total) * 1000 },
    ...sendingLoad('SMTP inbound', 'smtp', busy),
  ];
}
