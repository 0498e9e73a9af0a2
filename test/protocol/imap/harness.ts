/**
 * IMAP transcript harness: a real server on a loopback port (makeTestContext + the real
 * listener + handleImapConnection) and a small client that reads logical response lines
 * (a line plus any literals it announces).
 *
 * Transcripts are C:/S: lines. "C:" lines are sent (CRLF added). "S:" lines each match the
 * next logical line from the server: exactly, except that "…" matches any text, and CRLF
 * inside a literal is written as \r\n. "S*:" skips server lines until one matches.
 * Lines without a C:/S:/S*: prefix are ignored.
 */
import * as net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import assert from 'node:assert/strict';
import { makeTestContext, type TestBackend, type TestContext } from '../../helpers/context.js';
import { handleImapConnection } from '../../../src/imap/server.js';
import type { RunningListener } from '../../../src/net/types.js';
import type { TlsMode } from '../../../src/config/schema.js';

export const USER = 'alice@example.test';
export const PASS = 'correct horse battery';

export interface ImapServer {
  t: TestContext;
  listener: RunningListener;
  port: number;
  connect(opts?: { tls?: boolean }): Promise<ImapClient>;
  /** connect, read greeting, LOGIN as `user` (USER by default; every test account has PASS) */
  login(user?: string): Promise<ImapClient>;
  close(): Promise<void>;
}

export async function startServer(
  opts: { config?: Record<string, unknown>; tls?: TlsMode; plaintext?: boolean; backend?: TestBackend; summaries?: boolean } = {},
): Promise<ImapServer> {
  const config = {
    ...(opts.plaintext === false ? {} : { auth: { plaintext_allowed_from: ['127.0.0.1'] } }),
    ...opts.config,
  };
  const t = await makeTestContext({ config, backend: opts.backend, summaries: opts.summaries });
  await t.addUser(USER, PASS);
  const mode = opts.tls ?? 'none';
  const listener = await t.listen(mode === 'implicit' ? 'imaps' : 'imap', mode, (sock, info) =>
    handleImapConnection(sock, info, t.ctx),
  );
  const clients: ImapClient[] = [];
  const server: ImapServer = {
    t,
    listener,
    port: listener.port,
    async connect(o = {}) {
      const c = await ImapClient.connect(listener.port, o.tls ?? mode === 'implicit');
      clients.push(c);
      return c;
    },
    async login(user = USER) {
      const c = await server.connect();
      await c.readLine();
      const r = await c.command(`L1 LOGIN ${user} "${PASS}"`);
      assert.match(r.tagged, /^L1 OK/);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await t.close();
    },
  };
  return server;
}

export class ImapClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

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
    s.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(port: number, useTls: boolean): Promise<ImapClient> {
    return new Promise((resolve, reject) => {
      const s = useTls
        ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(new ImapClient(s)))
        : net.connect(port, '127.0.0.1', () => resolve(new ImapClient(s)));
      s.once('error', reject);
    });
  }

  /** STARTTLS upgrade of the client side (after the server's OK) */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const s = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const t = tls.connect({ socket: plain, rejectUnauthorized: false }, () => resolve(t));
      t.once('error', reject);
    });
    this.socket = s;
    this.buf = Buffer.alloc(0);
    this.attach(s);
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? data + '\r\n' : data);
  }

  private async waitData(deadline: number): Promise<void> {
    if (this.closed) throw new Error('connection closed by server');
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timeout waiting for server; buffered: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** one logical response line (literals included, CRLF inside literals kept) */
  async readLine(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let pos = 0;
    for (;;) {
      const lf = this.buf.indexOf(0x0a, pos);
      if (lf < 0) {
        await this.waitData(deadline);
        continue;
      }
      const m = /\{(\d+)\}\r$/.exec(this.buf.toString('latin1', Math.max(pos, lf - 25), lf));
      if (m) {
        const need = lf + 1 + Number(m[1]);
        while (this.buf.length < need) await this.waitData(deadline);
        pos = need;
        continue;
      }
      const line = this.buf.subarray(0, lf - 1).toString('utf8');
      this.buf = this.buf.subarray(lf + 1);
      return line;
    }
  }

  /** raw bytes of the next logical line (for byte-exact checks) */
  async readRaw(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    let pos = 0;
    for (;;) {
      const lf = this.buf.indexOf(0x0a, pos);
      if (lf < 0) {
        await this.waitData(deadline);
        continue;
      }
      const m = /\{(\d+)\}\r$/.exec(this.buf.toString('latin1', Math.max(pos, lf - 25), lf));
      if (m) {
        const need = lf + 1 + Number(m[1]);
        while (this.buf.length < need) await this.waitData(deadline);
        pos = need;
        continue;
      }
      const line = this.buf.subarray(0, lf + 1);
      this.buf = this.buf.subarray(lf + 1);
      return line;
    }
  }

  /** sends a tagged command and collects everything up to its tagged response */
  async command(line: string, timeoutMs = 5000): Promise<{ untagged: string[]; tagged: string }> {
    const tag = line.slice(0, line.indexOf(' '));
    this.send(line);
    const untagged: string[] = [];
    for (;;) {
      const l = await this.readLine(timeoutMs);
      if (l.startsWith(tag + ' ')) return { untagged, tagged: l };
      untagged.push(l);
    }
  }

  /** true when nothing arrives within ms */
  async silent(ms = 200): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.buf.length === 0;
  }

  /** resolves once the server closed the connection; throws after timeoutMs (it used to spin once the deadline passed) */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() >= deadline) throw new Error(`server did not close the connection within ${timeoutMs} ms`);
      await this.waitData(deadline).catch(() => {});
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function matches(pattern: string, actual: string): boolean {
  const visible = actual.replace(/\r\n/g, '\\r\\n');
  if (!pattern.includes('…')) return pattern === visible;
  const re = new RegExp('^' + pattern.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*') + '$');
  return re.test(visible);
}

/** runs a C:/S: transcript against a connected client (the greeting must already be read) */
export async function transcript(c: ImapClient, text: string): Promise<void> {
  const lines = text.split('\n').map((l) => l.replace(/^\s+/, ''));
  for (const l of lines) {
    if (l.startsWith('C: ')) c.send(l.slice(3).replace(/\\r\\n/g, '\r\n'));
    else if (l === 'C:') c.send('');
    else if (l.startsWith('S*: ')) {
      // skip any lines until one matches
      const want = l.slice(4);
      for (;;) {
        const got = await c.readLine();
        if (matches(want, got)) break;
      }
    } else if (l.startsWith('S: ')) {
      const want = l.slice(3);
      const got = await c.readLine();
      assert.ok(matches(want, got), `transcript mismatch\n  expected: ${want}\n  received: ${got.replace(/\r\n/g, '\\r\\n')}`);
    }
  }
}

export function msg(subject: string, body = 'Hello there.\r\n', extra = ''): Buffer {
  return Buffer.from(
    `From: Bob <bob@example.test>\r\nTo: Alice <alice@example.test>\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.test>\r\n${extra}\r\n${body}`,
  );
}

/** the MIME test messages (test/fixtures/mime/*.eml), by file name */
export function mimeFixtures(): Buffer[] {
  const dir = join('test', 'fixtures', 'mime');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

/** appends messages straight into the store (no IMAP), returns their UIDs */
export async function seed(server: ImapServer, mailbox: string, msgs: Buffer[], flags: string[][] = []): Promise<number[]> {
  const store = server.t.ctx.store;
  const acct = (await store.getAccount(USER))!;
  const mb = (await store.getMailbox(acct.id, mailbox))!;
  const uids: number[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const r = await store.append(acct.id, mb.id, { raw: msgs[i], flags: flags[i] ?? [], internalDate: new Date('2024-02-01T10:00:00Z') });
    uids.push(r.uid);
  }
  return uids;
}
