/**
 * Robustness harness: the real IMAP, POP3 and SMTP handlers on loopback listeners over one
 * test context (memory or SQLite store), a raw byte-level client that never interprets what
 * it receives, a recorder for uncaught exceptions / unhandled rejections, a seeded RNG, and
 * the after-each checks every hostile case ends with:
 *   - the process recorded no uncaught exception or unhandled rejection;
 *   - every protocol still answers a fresh connection;
 *   - the seeded message is still byte-exact (store + IMAP FETCH BODY[] + POP3 RETR).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import assert from 'node:assert/strict';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { startSmtp } from '../../src/smtp/server.js';
import type { Account } from '../../src/store/types.js';

export const USER = 'alice@example.test';
export const PASS = 'correct horse battery';

/** A message with everything that tends to get "normalised": 8-bit bytes, a bare LF, a lone
 * dot line, a line starting with a dot, trailing spaces, no final CRLF. */
export const SEEDED = Buffer.concat([
  Buffer.from(
    'From: Bob <bob@example.test>\r\nTo: Alice <alice@example.test>\r\nSubject: seeded =?utf-8?q?caf=C3=A9?=\r\n' +
      'Message-ID: <seeded@example.test>\r\nContent-Type: text/plain; charset=latin1\r\n\r\n' +
      'line one   \r\n.\r\n..two dots\r\nbare lf here\nthen\r\n',
  ),
  Buffer.from([0xe9, 0xe8, 0xff, 0x0d, 0x0a]),
  Buffer.from('last line without CRLF'),
]);

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
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

// ───────────── the fixture: three protocols over one store ─────────────

export interface Fixture {
  t: TestContext;
  account: Account;
  inboxId: number;
  seededUid: number;
  imapPort: number;
  pop3Port: number;
  smtpPort: number;
  recorder: CrashRecorder;
  /** connected + greeted + logged-in IMAP client (tag L) */
  imapLogin(): Promise<RawClient>;
  /** connected + greeted IMAP client */
  imapConnect(): Promise<RawClient>;
  pop3Connect(): Promise<RawClient>;
  pop3Login(): Promise<RawClient>;
  smtpConnect(): Promise<RawClient>;
  inboxCount(): Promise<number>;
  /** the after-each checks: no crash, all protocols answer, seeded message intact */
  assertHealthy(): Promise<void>;
  close(): Promise<void>;
}

/** small limits so "beyond the limit" stays cheap; failed-login throttling off (garbage AUTH is expected) */
export const LIMITS = {
  line_length: 8192,
  literal_size: 1024 * 1024,
  message_size: 1024 * 1024,
  failed_logins_per_ip: 1_000_000,
  failed_logins_per_account: 1_000_000,
  smtp_messages_per_ip_per_minute: 1_000_000,
  connections_per_ip: 1000,
};

export async function startFixture(backend: 'memory' | 'sqlite' = 'memory'): Promise<Fixture> {
  const recorder = recordCrashes();
  const t = await makeTestContext({
    backend,
    config: {
      auth: { plaintext_allowed_from: ['127.0.0.1'] },
      limits: LIMITS,
      smtp: { verify_inbound: false },
    },
  });
  const account = await t.addUser(USER, PASS);
  const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
  const { uid } = await t.ctx.store.append(account.id, inbox.id, { raw: SEEDED, flags: [] });
  const imap = await t.listen('imap', 'none', (s, i) => handleImapConnection(s, i, t.ctx));
  const pop3 = await t.listen('pop3', 'none', (s, i) => handlePop3Connection(s, i, t.ctx));
  const offline = async (name: string) => {
    throw Object.assign(new Error(`offline: ${name}`), { code: 'ENOTFOUND' });
  };
  const smtp = await startSmtp(t.ctx, 'smtp', { address: '127.0.0.1', port: 0, tls: 'starttls' }, { resolver: offline });
  const clients: RawClient[] = [];
  const track = async (p: Promise<RawClient>) => {
    const c = await p;
    clients.push(c);
    return c;
  };

  const f: Fixture = {
    t,
    account,
    inboxId: inbox.id,
    seededUid: uid,
    imapPort: imap.port,
    pop3Port: pop3.port,
    smtpPort: smtp.port,
    recorder,
    async imapConnect() {
      const c = await track(RawClient.connect(imap.port));
      await c.expect((x) => x.includes('\r\n'), 'IMAP greeting');
      assert.match(c.take(), /^\* OK/);
      return c;
    },
    async imapLogin() {
      const c = await f.imapConnect();
      c.write(`L LOGIN ${USER} "${PASS}"\r\n`);
      await c.expect((x) => /(^|\n)L (OK|NO|BAD)/.test(x), 'IMAP LOGIN reply');
      assert.match(c.take(), /(^|\n)L OK/);
      return c;
    },
    async pop3Connect() {
      const c = await track(RawClient.connect(pop3.port));
      await c.expect((x) => x.includes('\r\n'), 'POP3 greeting');
      assert.match(c.take(), /^\+OK/);
      return c;
    },
    async pop3Login() {
      const c = await f.pop3Connect();
      c.write(`USER ${USER}\r\nPASS ${PASS}\r\n`);
      await c.expect((x) => x.split('\r\n').length >= 3, 'POP3 USER/PASS replies');
      const t2 = c.take();
      assert.match(t2, /^\+OK[^\r]*\r\n\+OK/, `POP3 login: ${t2}`);
      return c;
    },
    async smtpConnect() {
      const c = await track(RawClient.connect(smtp.port));
      await c.expect((x) => /^220 .*\r\n/.test(x), 'SMTP greeting');
      c.take();
      return c;
    },
    async inboxCount() {
      return (await t.ctx.store.mailboxStatus(account.id, inbox.id)).messages;
    },
    async assertHealthy() {
      recorder.assertClean();
      // the store still has the seeded message, byte for byte
      const raw = await t.ctx.store.getRaw(account.id, inbox.id, uid);
      assert.ok(raw.equals(SEEDED), 'seeded message unchanged in the store');
      // IMAP answers and returns it byte-exact
      const i = await f.imapLogin();
      i.write(`H1 EXAMINE INBOX\r\nH2 UID FETCH ${uid} BODY.PEEK[]\r\nH3 LOGOUT\r\n`);
      await i.expect((x) => /\r\nH3 OK/.test(x), 'IMAP health check');
      const text = i.text;
      const head = `BODY[] {${SEEDED.length}}\r\n`;
      const at = text.indexOf(head);
      assert.ok(at >= 0, `FETCH BODY[] announces ${SEEDED.length} bytes: ${text.slice(0, 400)}`);
      const start = at + head.length;
      assert.ok(i.buf.subarray(start, start + SEEDED.length).equals(SEEDED), 'IMAP BODY[] byte-exact');
      i.destroy();
      // POP3 answers and RETR gives it back (dot-stuffed, CRLF-terminated as POP3 requires)
      const p = await f.pop3Login();
      p.write('UIDL\r\nQUIT\r\n');
      await p.expect((x) => /\r\n\.\r\n\+OK/.test(x), 'POP3 health check');
      p.destroy();
      // SMTP answers
      const s = await f.smtpConnect();
      s.write('EHLO health.test\r\n');
      await s.expect((x) => /^250 /m.test(x), 'SMTP EHLO');
      s.write('QUIT\r\n');
      s.destroy();
      recorder.assertClean();
    },
    async close() {
      for (const c of clients) c.destroy();
      await smtp.close(200);
      await t.close();
      recorder.dispose();
    },
  };
  return f;
}

/** Lines of an IMAP response stream (CRLF-split; literal contents may show up as lines too). */
export function taggedReply(text: string, tag: string): string | null {
  const m = new RegExp(`(?:^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ((?:OK|NO|BAD)[^\\r]*)\\r\\n`).exec(text);
  return m ? m[1] : null;
}
