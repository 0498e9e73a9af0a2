/** A raw ManageSieve client for transcripts: send a line, read until OK/NO/BYE. */
import * as net from 'node:net';
import * as tls from 'node:tls';

export class SieveClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  static connect(port: number): Promise<SieveClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new SieveClient(s)));
      s.once('error', reject);
    });
  }

  private attach(s: net.Socket): void {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** the text up to and including the final OK/NO/BYE line */
  async response(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /(^|\r\n)(OK|NO|BYE)\b[^\r\n]*\r\n/.exec(this.buf);
      if (m) {
        const end = m.index + m[0].length;
        const out = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return out;
      }
      if (this.socket.destroyed || Date.now() > deadline) throw new Error(`no complete response; have: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** one line of input (for SASL challenges) */
  async line(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        return l;
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async send(text: string): Promise<string> {
    this.socket.write(text + '\r\n');
    return this.response();
  }

  async starttls(): Promise<string> {
    const r = await this.send('STARTTLS');
    if (!r.startsWith('OK')) return r;
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((res, rej) => {
      secure.once('secureConnect', () => res());
      secure.once('error', rej);
    });
    this.socket = secure;
    this.buf = '';
    this.attach(secure);
    return this.response();
  }

  async login(user: string, pass: string): Promise<string> {
    return this.send(`AUTHENTICATE "PLAIN" "${Buffer.from(`\0${user}\0${pass}`).toString('base64')}"`);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function literal(s: string): string {
  return `{${Buffer.byteLength(s)}+}\r\n${s}`;
}
