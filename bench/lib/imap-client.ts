/**
 * A minimal raw IMAP client for load generation: it sends commands as given and scans the
 * response stream only as far as needed to find the tagged completion (skipping literals),
 * so the client costs as little as possible and drives every server identically.
 */
import * as net from 'node:net';
import * as zlib from 'node:zlib';

export interface ImapReply {
  status: string; // OK / NO / BAD
  text: string; // rest of the tagged line
  /** untagged lines (literal contents replaced by their length), only when collect=true */
  lines: string[];
  bytes: number; // bytes received for this command, literals included
}

interface Pending {
  tag: string;
  collect: boolean;
  lines: string[];
  bytes: number;
  resolve: (r: ImapReply) => void;
  reject: (e: Error) => void;
  onContinue?: () => void;
}

export class RawImap {
  private buf: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  private queue: Pending[] = [];
  private seq = 0;
  private greetingWaiter: ((line: string) => void) | null = null;
  private line = '';
  /** COMPRESS=DEFLATE (RFC 4978) once compress() succeeded */
  private deflate: zlib.DeflateRaw | null = null;
  private readonly onSocketData = (d: Buffer) => this.onData(d);
  closed = false;
  /** called with every untagged line (IDLE's "* n EXISTS") */
  onUntagged: ((line: string) => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', this.onSocketData);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.queue) p.reject(new Error('connection closed'));
      this.queue = [];
    });
    socket.on('error', () => {});
  }

  /** `localAddress`: the client side's address (127.0.0.x spreads many connections over several source addresses) */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawImap> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, localAddress });
      s.setNoDelay(true);
      const c = new RawImap(s);
      c.greetingWaiter = () => resolve(c);
      s.once('error', reject);
    });
  }

  private write(data: string | Buffer): void {
    if (!this.deflate) {
      this.socket.write(data);
      return;
    }
    this.deflate.write(data);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
  }

  /** COMPRESS DEFLATE: both directions compressed after the tagged OK (false when refused) */
  async compress(): Promise<boolean> {
    const r = await this.cmd('COMPRESS DEFLATE');
    if (r.status !== 'OK') return false;
    const inflate = zlib.createInflateRaw();
    inflate.on('data', (d: Buffer) => this.onData(d));
    inflate.on('error', () => this.socket.destroy());
    this.socket.off('data', this.onSocketData);
    this.socket.on('data', (d: Buffer) => inflate.write(d));
    this.deflate = zlib.createDeflateRaw();
    this.deflate.on('data', (d: Buffer) => this.socket.write(d));
    return true;
  }

  /** sends `TAG <command>` (a CRLF is added) and resolves with the tagged reply */
  cmd(command: string, opts: { collect?: boolean } = {}): Promise<ImapReply> {
    const tag = `T${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ tag, collect: !!opts.collect, lines: [], bytes: 0, resolve, reject });
      this.write(`${tag} ${command}\r\n`);
    });
  }

  /** APPEND with a non-synchronizing literal (LITERAL+, supported by every server measured) */
  append(mailbox: string, message: Buffer, flags = ''): Promise<ImapReply> {
    const tag = `T${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ tag, collect: false, lines: [], bytes: 0, resolve, reject });
      this.write(Buffer.concat([Buffer.from(`${tag} APPEND ${mailbox}${flags ? ` (${flags})` : ''} {${message.length}+}\r\n`), message, Buffer.from('\r\n')]));
    });
  }

  /** IDLE: resolves once the server sent its continuation */
  idle(): Promise<void> {
    const tag = `T${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ tag, collect: false, lines: [], bytes: 0, resolve: () => {}, reject, onContinue: resolve });
      this.write(`${tag} IDLE\r\n`);
    });
  }

  async login(user: string, pass: string): Promise<void> {
    const r = await this.cmd(`LOGIN "${user}" "${pass}"`);
    if (r.status !== 'OK') throw new Error(`LOGIN failed: ${r.status} ${r.text}`);
  }

  close(): void {
    this.socket.destroy();
  }

  async logout(): Promise<void> {
    try {
      await this.cmd('LOGOUT');
    } catch {
      /* closed */
    }
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    const head = this.queue[0];
    if (head) head.bytes += d.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let pos = 0;
    while (pos < this.buf.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, this.buf.length - pos);
        this.literalLeft -= take;
        pos += take;
        continue;
      }
      const nl = this.buf.indexOf(10, pos);
      if (nl < 0) break;
      const part = this.buf.toString('latin1', pos, nl + 1);
      pos = nl + 1;
      const m = /\{(\d+)\}\r\n$/.exec(part);
      if (m) {
        this.line += part.slice(0, m.index) + `{${m[1]}}`;
        this.literalLeft = Number(m[1]);
        continue;
      }
      this.onLine(this.line + part.replace(/\r?\n$/, ''));
      this.line = '';
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  private onLine(line: string): void {
    if (this.greetingWaiter) {
      const w = this.greetingWaiter;
      this.greetingWaiter = null;
      w(line);
      return;
    }
    if (line.startsWith('* ')) this.onUntagged?.(line);
    const head = this.queue[0];
    if (!head) return;
    if (line.startsWith('+')) {
      head.onContinue?.();
      return;
    }
    if (line.startsWith(head.tag + ' ')) {
      this.queue.shift();
      const rest = line.slice(head.tag.length + 1);
      const sp = rest.indexOf(' ');
      head.resolve({
        status: sp < 0 ? rest : rest.slice(0, sp),
        text: sp < 0 ? '' : rest.slice(sp + 1),
        lines: head.lines,
        bytes: head.bytes,
      });
      return;
    }
    if (head.collect) head.lines.push(line);
  }
}
