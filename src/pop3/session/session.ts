/**
 * One POP3 connection: the state machine of RFC 1939 §3 (AUTHORIZATION → TRANSACTION →
 * UPDATE), with STLS (RFC 2595 §4) restarting AUTHORIZATION on the TLS socket.
 *
 * Invariants:
 * - Commands run strictly one at a time in arrival order (PIPELINING, RFC 2449 §6.6): lines
 *   are queued and the loop awaits each command before taking the next. A command that needs
 *   more input (AUTH continuation, RFC 5034 §4) reads it with readLine().
 * - The maildrop lock is held from a successful login until the connection ends; deletions
 *   happen only in UPDATE after QUIT, so a dropped connection deletes nothing.
 * - Nothing here logs passwords, SASL data or message bodies.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { ServerContext } from '../../context.js';
import type { ConnectionInfo } from '../../net/types.js';
import { StoreError, type Account } from '../../store/types.js';
import { plaintextAllowed } from '../../auth/policy.js';
import { LineSplitter, parseCommandLine, type LineEvent, type Pop3CommandLine } from '../wire/lines.js';
import { err, ok } from '../wire/response.js';
import { storeErrorResponse } from './errors.js';
import type { Maildrop } from './maildrop.js';
import type { SessionHandle } from '../../net/sessions.js';

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

/** One POP3 command: its keyword, the states it is valid in (RFC 1939 §3) and its handler (./commands/). */
export interface Pop3Command {
  name: string;
  states: readonly Pop3State[];
  run(session: Pop3Session, cmd: Pop3CommandLine): Promise<void>;
}

export interface Pop3Login {
  account: Account;
  maildrop: Maildrop;
  /** gives the maildrop lock back; resolves once other sessions may take it */
  release: () => Promise<void>;
}

/** RETR's \Seen marks are written at most this late, or once this many are pending */
const SEEN_DELAY_MS = 50;
const SEEN_BATCH = 500;

/** commands whose arguments must never reach a log */
const SECRET_ARGS = new Set(['PASS', 'AUTH']);

/** queued command text that pauses reading from the client (lines may be up to limits.line_length each) */
const QUEUE_PAUSE_BYTES = 256 * 1024;
const eventBytes = (ev: LineEvent): number => (ev.kind === 'line' ? ev.line.length + 2 : 0);

export class Pop3Session {
  state: Pop3State = 'AUTHORIZATION';
  socket: net.Socket;
  secure: boolean;
  /** USER given, waiting for PASS (RFC 1939 §7) */
  pendingUser: string | null = null;
  login: Pop3Login | null = null;
  readonly log: Logger;
  readonly origin: string;

  private readonly splitter: LineSplitter;
  private queue: LineEvent[] = [];
  /** bytes of the queued lines: reading pauses above QUEUE_PAUSE_BYTES as well as above 1000 lines */
  private queuedBytes = 0;
  private waiter: ((ev: LineEvent | null) => void) | null = null;
  private closed = false;
  private badCommands = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly onData = (chunk: Buffer): void => this.received(chunk);
  private readonly onShutdown = (): void => this.shutdownRequested();
  private busy = false;
  /** the final response once the session must end (shutdown, account removed…): sent between commands */
  private stopping: string | null = null;
  /** this session's entry in ctx.sessions (who is connected; ends us when the account goes) */
  readonly registration: SessionHandle;
  /** store updates started by a command but settled later (RETR's \Seen mark) */
  private unsettled: Array<Promise<void>> = [];

  constructor(
    socket: net.Socket,
    readonly info: ConnectionInfo,
    readonly ctx: ServerContext,
    /** the command table (./commands/index.ts), handed in by ./server.ts */
    private readonly commands: ReadonlyMap<string, Pop3Command>,
  ) {
    this.socket = socket;
    this.secure = info.secure;
    this.log = ctx.log.child({ proto: 'pop3', conn: info.id, remote: info.remoteAddress });
    this.origin = `pop3:${info.id}`;
    this.splitter = new LineSplitter(ctx.config.limits.line_length);
    this.registration = ctx.sessions.register(
      { id: info.id, protocol: 'pop3', listener: info.listener, remoteAddress: info.remoteAddress },
      (reason) => this.stopWith(err(`Session ended: ${reason}`, 'AUTH')),
    );
  }

  start(): void {
    this.attach(this.socket);
    if (this.ctx.shutdown.aborted) {
      void this.closeWith(err('server shutting down'));
      return;
    }
    this.ctx.shutdown.addEventListener('abort', this.onShutdown, { once: true });
    this.log.debug('POP3 connection opened');
    void this.run();
  }

  /** plaintext USER/PASS and AUTH are allowed on this connection now (src/auth/policy.ts) */
  plaintextAllowed(): boolean {
    return plaintextAllowed(this.ctx.config, { ...this.info, secure: this.secure });
  }

  /** STLS is offered: a STARTTLS listener, not yet upgraded (RFC 2595 §4) */
  canStartTls(): boolean {
    return this.info.startTls && !this.secure && this.state === 'AUTHORIZATION';
  }

  /**
   * Sends `data`; resolves at once unless the socket's buffer is full (then once it drained).
   * `written` is called once `data` is no longer needed (the socket's write callback, or now
   * when nothing is written): the caller may then reuse its memory (../wire/arena.ts).
   */
  write(data: string | Buffer, written?: () => void): Promise<void> {
    const s = this.socket;
    if (this.closed || s.destroyed) {
      written?.();
      return Promise.resolve();
    }
    if (s.write(data, written)) return Promise.resolve();
    // corked for pipelined commands (run()): let the buffered output go before waiting
    while (s.writableCorked > 0) s.uncork();
    return new Promise((resolve) => {
      // a client that stops reading is idle too: its output may not wait longer than the idle timeout
      const timeoutS = this.ctx.config.limits.pop3_idle_timeout_s;
      const timer = setTimeout(() => {
        this.log.info({ queued: s.writableLength, timeoutS }, `POP3 client read nothing for ${timeoutS} s (limits.pop3_idle_timeout_s) with ${s.writableLength} bytes waiting; closing connection`);
        s.destroy(); // 'close' ends the session (attach()) and settles this write
      }, timeoutS * 1000);
      const done = (): void => {
        clearTimeout(timer);
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** the next client line (for SASL continuations); null when the connection is gone */
  async readLine(): Promise<string | null> {
    for (;;) {
      const ev = await this.nextEvent();
      if (ev === null) return null;
      if (ev.kind === 'line') return ev.line;
      await this.write(err('line too long'));
    }
  }

  /** `p` (which must not reject) is awaited before the next command other than RETR */
  settleLater(p: Promise<void>): void {
    this.unsettled.push(p);
  }

  /**
   * RETR's \Seen mark (pop3.retr_marks_seen). Marks are gathered and written by ONE store
   * update at the latest SEEN_DELAY_MS later (or every SEEN_BATCH marks): a download of a
   * whole maildrop costs a few commits, not one per message. Pending marks are written
   * before the next command other than RETR (so QUIT's UPDATE and any later command see
   * them) and when the connection ends, however it ends. A failure is logged only.
   */
  markSeen(uid: number): void {
    this.seenUids.push(uid);
    if (this.seenUids.length >= SEEN_BATCH) this.flushSeen();
    else this.seenTimer ??= setTimeout(() => this.flushSeen(), SEEN_DELAY_MS);
  }

  private flushSeen(): void {
    if (this.seenTimer) clearTimeout(this.seenTimer);
    this.seenTimer = null;
    if (this.seenUids.length === 0 || !this.login) return;
    const { account, maildrop } = this.login;
    const uids = [...new Set(this.seenUids.splice(0))].sort((a, b) => a - b);
    this.settleLater(
      this.ctx.store.storeFlags(account.id, maildrop.inbox.id, uids, 'add', ['\\Seen'], { origin: this.origin }).then(
        () => undefined,
        (e: unknown) => this.log.debug({ uids: uids.length, err: (e as Error).message }, 'POP3 RETR could not mark messages \\Seen'),
      ),
    );
  }
  private seenUids: number[] = [];
  private seenTimer: NodeJS.Timeout | null = null;

  private async settle(): Promise<void> {
    this.flushSeen();
    while (this.unsettled.length > 0) await Promise.all(this.unsettled.splice(0));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** counts a bad command; after limits.bad_commands_before_disconnect the connection ends */
  async badCommand(response: string): Promise<void> {
    this.badCommands++;
    if (this.badCommands >= this.ctx.config.limits.bad_commands_before_disconnect) {
      this.log.info({ bad: this.badCommands }, 'POP3 client sent too many bad commands; disconnecting');
      await this.closeWith(err('Too many bad commands; closing connection'));
      return;
    }
    await this.write(response);
  }

  /**
   * STLS (RFC 2595 §4): after "+OK" the TLS handshake starts; buffered plaintext input is
   * discarded and the session starts over in AUTHORIZATION on the TLS socket.
   */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.off('data', this.onData);
    this.queue = [];
    this.queuedBytes = 0;
    this.splitter.reset();
    await this.write(ok('Begin TLS negotiation now'));
    // the +OK must leave before the handshake, even when the STLS came pipelined (corked)
    while (plain.writableCorked > 0) plain.uncork();
    try {
      const tlsSocket = await this.ctx.tls.upgrade(plain);
      this.socket = tlsSocket;
      this.secure = true;
      this.pendingUser = null;
      this.state = 'AUTHORIZATION';
      this.attach(tlsSocket);
      this.log.debug('POP3 connection upgraded to TLS');
    } catch (e) {
      this.log.info({ err: (e as Error).message }, 'POP3 STLS handshake failed; closing connection');
      this.closed = true;
      plain.destroy();
      this.cleanup();
      this.wake(null);
    }
  }

  /** writes a final response and ends the connection (no UPDATE) */
  async closeWith(response: string): Promise<void> {
    if (this.closed) return;
    await this.write(response);
    this.end();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.cleanup();
    this.wake(null);
  }

  // ───────────── internals ─────────────

  private attach(s: net.Socket): void {
    s.on('data', this.onData);
    s.on('error', (e) => this.log.debug({ err: e.message }, 'POP3 socket error'));
    s.on('close', () => {
      if (s !== this.socket) return; // the plain socket under a TLS upgrade
      if (!this.closed) this.log.debug('POP3 client dropped the connection');
      this.closed = true;
      this.cleanup();
      this.wake(null);
    });
  }

  private received(chunk: Buffer): void {
    for (const ev of this.splitter.push(chunk)) {
      if (this.waiter) this.wake(ev);
      else {
        this.queue.push(ev);
        this.queuedBytes += eventBytes(ev);
      }
    }
    // a client pipelining far ahead waits until the queue drains (TCP back-pressure)
    if ((this.queue.length > 1000 || this.queuedBytes > QUEUE_PAUSE_BYTES) && !this.socket.isPaused()) this.socket.pause();
    // half a line gets no reply: acknowledge it now, or a Nagle client waits for the delayed ACK
    if (this.splitter.holding) this.info.ackNow?.();
  }

  private nextEvent(): Promise<LineEvent | null> {
    if (this.queue.length > 0) {
      const ev = this.queue.shift()!;
      this.queuedBytes -= eventBytes(ev);
      if (this.queue.length < 100 && this.queuedBytes < QUEUE_PAUSE_BYTES / 4 && this.socket.isPaused() && !this.closed) this.socket.resume();
      return Promise.resolve(ev);
    }
    if (this.closed) return Promise.resolve(null);
    this.startIdleTimer();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private wake(ev: LineEvent | null): void {
    const w = this.waiter;
    this.waiter = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    w?.(ev);
  }

  /**
   * The idle clock runs only while the session waits for a complete line from the client
   * (limits.pop3_idle_timeout_s), never while a command runs (a slow download of a big
   * message is not idleness); a client trickling a partial line is still idle.
   */
  private startIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.log.info('POP3 client idle too long; closing connection');
      void this.closeWith(err('Idle timeout; closing connection'));
    }, this.ctx.config.limits.pop3_idle_timeout_s * 1000);
  }

  private shutdownRequested(): void {
    this.stopWith(err('server shutting down'));
  }

  /** ends the session with `response`: now when between commands, else after the running one */
  private stopWith(response: string): void {
    this.stopping ??= response;
    // between commands, or waiting for an AUTH continuation line: leave now
    if (!this.busy || this.waiter) void this.closeWith(this.stopping);
  }

  private cleanup(): void {
    this.flushSeen();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.ctx.shutdown.removeEventListener('abort', this.onShutdown);
    this.registration.end();
    // leaving without QUIT: release the maildrop, delete nothing (RFC 1939 §6). In UPDATE the
    // QUIT handler releases it once the deletions are committed, even if the client left.
    if (this.state !== 'UPDATE') void this.login?.release();
  }

  private async run(): Promise<void> {
    // RFC 1939 §4 greeting; no APOP timestamp since APOP is not offered
    await this.write(ok(`${this.ctx.config.hostname} letterbox POP3 server ready`));
    for (;;) {
      const ev = await this.nextEvent();
      if (ev === null || this.closed) break;
      this.busy = true;
      // pipelined commands (RFC 2449 §6.6): their responses leave together, in few writes
      const s = this.socket;
      if (this.queue.length > 0 && s.writableCorked === 0) s.cork();
      try {
        if (ev.kind === 'too-long') await this.badCommand(err('Command line too long'));
        else await this.dispatch(ev.line);
      } finally {
        this.busy = false;
        if (this.queue.length === 0) while (s.writableCorked > 0) s.uncork();
      }
      if (this.stopping && !this.closed) await this.closeWith(this.stopping);
    }
  }

  private async dispatch(line: string): Promise<void> {
    const cmd = parseCommandLine(line);
    this.registration.touch();
    this.log.trace({ cmd: cmd.keyword, args: SECRET_ARGS.has(cmd.keyword) ? undefined : cmd.rest }, 'POP3 command');
    const def = this.commands.get(cmd.keyword);
    if (cmd.keyword !== 'RETR') await this.settle();
    if (!def) {
      await this.badCommand(err(`Unknown command: ${cmd.keyword.slice(0, 20)}`));
      return;
    }
    if (!def.states.includes(this.state)) {
      const where = this.state === 'AUTHORIZATION' ? 'before login' : 'after login';
      await this.badCommand(err(`${cmd.keyword} is not allowed ${where}`));
      return;
    }
    const started = performance.now();
    try {
      await def.run(this, cmd);
      this.ctx.metrics?.command('pop3', cmd.keyword, 'ok', (performance.now() - started) / 1000);
    } catch (e) {
      this.ctx.metrics?.command('pop3', cmd.keyword, 'err', (performance.now() - started) / 1000);
      if (e instanceof StoreError && e.code === 'EXPUNGED')
        this.log.info({ cmd: cmd.keyword }, 'POP3 client asked for a message another session expunged');
      else this.log.warn({ err: (e as Error).message, cmd: cmd.keyword }, 'POP3 command failed; answered -ERR');
      await this.write(storeErrorResponse(e));
    }
  }
}
