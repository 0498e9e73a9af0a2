/**
 * A tiny POP3 test client speaking raw lines over a real socket, so transcripts assert the
 * exact bytes the server sends (multi-line bodies are returned still dot-stuffed).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import assert from 'node:assert/strict';

export class Pop3Client {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  closed = false;
  greeting = '';

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<Pop3Client> {
    const socket = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new Pop3Client(socket);
    c.greeting = await c.readLine();
    return c;
  }

  private attach(s: net.Socket): void {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    s.on('close', () => {
      this.closed = true;
      this.notify();
    });
    s.on('error', () => {});
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async waitFor(pred: () => number): Promise<number> {
    for (;;) {
      const n = pred();
      if (n >= 0) return n;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** one response line without CRLF */
  async readLine(): Promise<string> {
    const i = await this.waitFor(() => this.buf.indexOf('\r\n'));
    const line = this.buf.subarray(0, i).toString('utf8');
    this.buf = this.buf.subarray(i + 2);
    return line;
  }

  /** the bytes of a multi-line body up to and including the terminating ".\r\n" */
  async readBody(): Promise<Buffer> {
    const end = await this.waitFor(() => {
      if (this.buf.subarray(0, 3).toString() === '.\r\n') return 3;
      const i = this.buf.indexOf('\r\n.\r\n');
      return i < 0 ? -1 : i + 5;
    });
    const body = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return body;
  }

  async cmd(line: string): Promise<string> {
    this.send(line + '\r\n');
    return this.readLine();
  }

  /** sends a command expecting a multi-line answer; returns status and (if +OK) stuffed body */
  async multi(line: string): Promise<{ status: string; body: Buffer }> {
    const status = await this.cmd(line);
    if (!status.startsWith('+OK')) return { status, body: Buffer.alloc(0) };
    return { status, body: await this.readBody() };
  }

  /** multi-line answer as text lines without the terminator */
  async lines(line: string): Promise<string[]> {
    const r = await this.multi(line);
    assert.match(r.status, /^\+OK/, `${line} → ${r.status}`);
    const text = r.body.toString('utf8');
    return text === '.\r\n' ? [] : text.slice(0, -5).split('\r\n');
  }

  async login(user: string, pass: string): Promise<string> {
    assert.match(await this.cmd(`USER ${user}`), /^\+OK/);
    return this.cmd(`PASS ${pass}`);
  }

  async stls(): Promise<void> {
    assert.match(await this.cmd('STLS'), /^\+OK/);
    await this.stlsAfterOk();
  }

  /** the TLS handshake after the server's "+OK" to STLS (buffered plaintext is dropped) */
  async stlsAfterOk(): Promise<void> {
    this.buf = Buffer.alloc(0);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  /** resolves when the server closed the connection */
  async closedByServer(): Promise<void> {
    await this.waitFor(() => (this.closed ? 0 : -1)).catch(() => 0);
  }

  /** whatever is still buffered */
  rest(): string {
    return this.buf.toString('utf8');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** undoes dot-stuffing and the terminator: the message bytes as a client stores them */
export function unstuff(body: Buffer): Buffer {
  const s = body.toString('latin1');
  if (s === '.\r\n') return Buffer.alloc(0);
  assert.ok(s.endsWith('\r\n.\r\n'), 'multi-line body ends with CRLF.CRLF');
  const lines = s.slice(0, -5).split('\r\n').map((l) => (l.startsWith('.') ? l.slice(1) : l));
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}
