/**
 * Test scaffolding for SMTP: a ServerContext from test/helpers/context.ts (memory store, or
 * SQLite with LETTERBOX_TEST_BACKEND=sqlite) with SMTP listeners, a line-oriented SMTP client for C:/S: transcripts, and a
 * "simulated internet" of smtp-server sinks on loopback with a table resolver that maps
 * test domains to them.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import type { ServerContext } from '../../../src/context.js';
import { makeTestContext, type TestBackend } from '../../helpers/context.js';
import type { Account } from '../../../src/store/types.js';
import type { RunningListener } from '../../../src/net/types.js';
import { startSmtp, type SmtpListenerName } from '../../../src/smtp/server.js';
import type { DnsResolver } from '../../../src/smtp/core/dns.js';

export interface Harness {
  ctx: ServerContext;
  addUser(address: string, password: string): Promise<Account>;
  start(name: SmtpListenerName, tlsMode?: 'starttls' | 'implicit' | 'none', resolver?: DnsResolver): Promise<RunningListener>;
  close(): Promise<void>;
}

/** resolver that knows nothing: every lookup is NXDOMAIN (SPF/DKIM/DMARC → none) */
export const offlineResolver: DnsResolver = async (name) => {
  throw Object.assign(new Error(`offline: ${name}`), { code: 'ENOTFOUND' });
};

export async function makeHarness(
  overrides: Record<string, unknown> = {},
  backend?: TestBackend,
): Promise<Harness> {
  const t = await makeTestContext({ config: overrides, backend });
  const listeners: RunningListener[] = [];
  return {
    ctx: t.ctx,
    addUser: (address, password) => t.addUser(address, password),
    async start(name, tlsMode, resolver) {
      const mode = tlsMode ?? (name === 'submissions' ? 'implicit' : 'starttls');
      const l = await startSmtp(t.ctx, name, { address: '127.0.0.1', port: 0, tls: mode }, { resolver: resolver ?? offlineResolver });
      listeners.push(l);
      return l;
    },
    async close() {
      await Promise.all(listeners.map((l) => l.close(200)));
      await t.close();
    },
  };
}

/** A minimal SMTP client that shows the server's replies verbatim. */
export class SmtpClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }
  private attach(s: net.Socket) {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buf += d;
      this.waiters.splice(0).forEach((w) => w());
    });
    s.on('error', () => {});
    s.on('close', () => this.waiters.splice(0).forEach((w) => w()));
  }
  static async connect(port: number, implicitTls = false): Promise<{ client: SmtpClient; greeting: string }> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = implicitTls
        ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(s))
        : net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new SmtpClient(socket);
    return { client, greeting: await client.reply() };
  }
  get closed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }
  /** next complete reply (all lines), e.g. "250-a\r\n250 b" */
  async reply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return m[0].replace(/\r?\n$/, '');
      }
      if (this.socket.destroyed || this.socket.readableEnded) {
        const rest = this.buf;
        this.buf = '';
        return rest.replace(/\r?\n$/, '');
      }
      if (Date.now() > deadline) throw new Error('timeout waiting for reply; buffer: ' + JSON.stringify(this.buf));
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async cmd(line: string): Promise<string> {
    this.socket.write(line + '\r\n');
    return this.reply();
  }
  async starttls(): Promise<string> {
    const r = await this.cmd('STARTTLS');
    if (!r.startsWith('220')) return r;
    this.socket.removeAllListeners('data');
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: this.socket, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return r;
  }
  /** DATA + body (dot-stuffed here) + "." */
  async data(raw: string | Buffer): Promise<string> {
    const r = await this.cmd('DATA');
    if (!r.startsWith('354')) return r;
    let text = Buffer.isBuffer(raw) ? raw.toString('binary') : raw;
    text = text.replace(/(^|\r\n)\./g, '$1..');
    if (!text.endsWith('\r\n')) text += '\r\n';
    this.socket.write(Buffer.from(text + '.\r\n', 'binary'));
    return this.reply();
  }
  /** writes bytes exactly as given (no CRLF added) and waits for the next reply */
  async raw(bytes: Buffer | string): Promise<string> {
    this.socket.write(bytes);
    return this.reply();
  }
  async authPlain(user: string, pass: string): Promise<string> {
    return this.cmd('AUTH PLAIN ' + Buffer.from(`\0${user}\0${pass}`).toString('base64'));
  }
  close(): void {
    this.socket.destroy();
  }
}

// ───────────── the simulated internet ─────────────

export interface SinkMessage {
  from: string;
  to: string[];
  /** the DSN parameters the client sent: MAIL (ret, envid) and per RCPT (notify, orcpt) */
  dsn?: unknown;
  rcptDsn?: unknown[];
  /** MAIL FROM carried REQUIRETLS (RFC 8689) */
  requireTls?: boolean;
  raw: Buffer;
  secure: boolean;
  connection: string;
}

export interface SinkBehaviour {
  starttls?: boolean;
  /** reply for RCPT TO: null accepts, otherwise [code, text] */
  rcpt?: (address: string) => [number, string] | null;
  /** reply after DATA: null accepts */
  data?: () => [number, string] | null;
  /** advertise DSN (RFC 3461); smtp-server's default is not to */
  dsn?: boolean;
  /** advertise REQUIRETLS after STARTTLS (RFC 8689) */
  requireTls?: boolean;
  /** certificate and key to present on STARTTLS instead of the context's */
  tls?: { cert: string; key: string };
}

export interface Sink {
  port: number;
  messages: SinkMessage[];
  connections: number;
  close(): Promise<void>;
}

export async function startSink(ctx: ServerContext, behaviour: SinkBehaviour = {}): Promise<Sink> {
  const messages: SinkMessage[] = [];
  let connections = 0;
  const err = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const server = new SMTPServer({
    ...ctx.tls.serverOptions(),
    ...(behaviour.tls ? { key: behaviour.tls.key, cert: behaviour.tls.cert, SNICallback: undefined } : {}),
    hideDSN: !behaviour.dsn,
    hideREQUIRETLS: !behaviour.requireTls,
    hideSTARTTLS: behaviour.starttls === false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 200,
    onConnect(_s, cb) {
      connections++;
      cb();
    },
    onRcptTo(address, _s, cb) {
      const r = behaviour.rcpt?.(address.address);
      cb(r ? err(r[0], r[1]) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const r = behaviour.data?.();
        if (r) return cb(err(r[0], r[1]));
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((x) => x.address),
          dsn: (session.envelope as { dsn?: unknown }).dsn,
          requireTls: !!(session.envelope as { requireTLS?: boolean }).requireTLS,
          rcptDsn: session.envelope.rcptTo.map((x) => (x as { dsn?: unknown }).dsn),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          connection: session.id,
        });
        cb(null, 'queued');
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    messages,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
