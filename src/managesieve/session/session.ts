/**
 * One ManageSieve connection (RFC 5804): the greeting with capabilities, then commands
 * one at a time in arrival order, in two states — before login (AUTHENTICATE, STARTTLS,
 * CAPABILITY, LOGOUT, NOOP) and after (the script commands, UNAUTHENTICATE).
 *
 * Invariants:
 * - Commands run strictly one at a time; a command that needs more input (an
 *   AUTHENTICATE continuation) reads it with readLine().
 * - Passwords travel only inside TLS unless auth.plaintext_allowed_from lists the client
 *   (src/auth/policy.ts); before that the SASL capability is empty (RFC 5804 §2.1).
 * - Logins go through the shared Authenticator (argon2id, throttling), as IMAP's do.
 * - Nothing here logs passwords, SASL data or script text.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { ServerContext } from '../../context.js';
import type { ConnectionInfo } from '../../net/types.js';
import type { Account } from '../../store/types.js';
import type { SessionHandle } from '../../net/sessions.js';
import { plaintextAllowed } from '../../auth/policy.js';
import { SieveScripts } from '../../sieve/scripts.js';
import { capabilities } from './capabilities.js';
import { errorResponse } from './errors.js';
import { CommandReader, type Arg, type ReaderEvent } from '../wire/reader.js';
import { bye, capabilityLines, no, ok } from '../wire/response.js';

export type ManageSieveState = 'NONAUTH' | 'AUTH';

/** One ManageSieve command: its name, the states it is valid in and its handler (../commands/). */
export interface ManageSieveCommand {
  name: string;
  states: readonly ManageSieveState[];
  run(session: ManageSieveSession, args: Arg[]): Promise<void>;
}

/** literals before login carry only SASL data */
const PRE_AUTH_LITERAL = 8 * 1024;
const QUEUE_PAUSE = 100;

export class ManageSieveSession {
  state: ManageSieveState = 'NONAUTH';
  socket: net.Socket;
  secure: boolean;
  account: Account | null = null;
  readonly log: Logger;
  readonly scripts: SieveScripts;

  private readonly reader: CommandReader;
  private queue: ReaderEvent[] = [];
  private waiter: ((ev: ReaderEvent | null) => void) | null = null;
  private closed = false;
  private badCommands = 0;
  /** the status word of the last response written (OK, NO, BYE): the command's result for the metrics */
  private lastStatus: string | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private busy = false;
  /** the final response once the session must end (shutdown, account removed…): sent between commands */
  private stopping: string | null = null;
  /** this session's entry in ctx.sessions (who is connected; ends us when the account goes) */
  readonly registration: SessionHandle;
  private readonly onData = (chunk: Buffer): void => this.received(chunk);
  private readonly onShutdown = (): void => this.shutdownRequested();

  constructor(
    socket: net.Socket,
    readonly info: ConnectionInfo,
    readonly ctx: ServerContext,
    /** the command table (../commands/index.ts), handed in by ../server.ts: commands import the session, never the reverse */
    private readonly commands: ReadonlyMap<string, ManageSieveCommand>,
  ) {
    this.socket = socket;
    this.secure = info.secure;
    this.log = ctx.log.child({ proto: 'managesieve', conn: info.id, remote: info.remoteAddress });
    const sieve = ctx.config.sieve;
    this.scripts = new SieveScripts(ctx.store, { maxScriptBytes: sieve.max_script_bytes, maxScripts: sieve.max_scripts });
    // a script literal may be bigger than allowed: it is read and refused with QUOTA/MAXSIZE
    this.reader = new CommandReader(ctx.config.limits.line_length, () => (this.state === 'AUTH' ? sieve.max_script_bytes : PRE_AUTH_LITERAL));
    this.registration = ctx.sessions.register(
      { id: info.id, protocol: 'managesieve', listener: info.listener, remoteAddress: info.remoteAddress },
      (reason) => this.stopWith(bye(`Session ended: ${reason}`)),
    );
  }

  start(): void {
    this.attach(this.socket);
    if (this.ctx.shutdown.aborted) {
      void this.closeWith(bye('Server shutting down', 'TRYLATER'));
      return;
    }
    this.ctx.shutdown.addEventListener('abort', this.onShutdown, { once: true });
    this.log.debug('ManageSieve connection opened');
    void this.run();
  }

  plaintextAllowed(): boolean {
    return plaintextAllowed(this.ctx.config, { ...this.info, secure: this.secure });
  }

  canStartTls(): boolean {
    return this.info.startTls && !this.secure;
  }

  /** the capability lines (RFC 5804 §1.7) for this connection's state */
  capabilityText(): string {
    return capabilityLines(capabilities(this));
  }

  write(data: string): Promise<void> {
    const s = this.socket;
    if (this.closed || s.destroyed) return Promise.resolve();
    const last = data.lastIndexOf('\r\n', data.length - 3);
    this.lastStatus = /^(OK|NO|BYE)\b/.exec(data.slice(last < 0 ? 0 : last + 2))?.[1] ?? this.lastStatus;
    if (s.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** the next client line's arguments (SASL continuations); null when the connection is gone */
  async readLine(): Promise<Arg[] | null> {
    for (;;) {
      const ev = await this.nextEvent();
      if (ev === null) return null;
      if (ev.kind === 'line') return ev.args;
      return [];
    }
  }

  async badCommand(text: string): Promise<void> {
    this.badCommands++;
    if (this.badCommands >= this.ctx.config.limits.bad_commands_before_disconnect) {
      this.log.info({ bad: this.badCommands }, 'ManageSieve client sent too many bad commands; disconnecting');
      await this.closeWith(bye('Too many bad commands'));
      return;
    }
    await this.write(no(text));
  }

  /** RFC 5804 §2.2: OK, the handshake, then the capabilities again on the TLS socket */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.off('data', this.onData);
    this.queue = [];
    this.reader.reset();
    await this.write(ok('Begin TLS negotiation now'));
    try {
      const tlsSocket = await this.ctx.tls.upgrade(plain);
      this.socket = tlsSocket;
      this.secure = true;
      this.attach(tlsSocket);
      this.log.debug('ManageSieve connection upgraded to TLS');
      await this.write(this.capabilityText() + ok('TLS negotiation successful'));
    } catch (e) {
      this.log.info({ err: (e as Error).message }, 'ManageSieve STARTTLS handshake failed; closing connection');
      this.closed = true;
      plain.destroy();
      this.cleanup();
      this.wake(null);
    }
  }

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
    s.on('error', (e) => this.log.debug({ err: e.message }, 'ManageSieve socket error'));
    s.on('close', () => {
      if (s !== this.socket) return;
      this.closed = true;
      this.cleanup();
      this.wake(null);
    });
  }

  private received(chunk: Buffer): void {
    for (const ev of this.reader.push(chunk)) {
      if (this.waiter) this.wake(ev);
      else this.queue.push(ev);
    }
    if (this.queue.length > QUEUE_PAUSE && !this.socket.isPaused()) this.socket.pause();
  }

  private nextEvent(): Promise<ReaderEvent | null> {
    if (this.queue.length > 0) {
      const ev = this.queue.shift()!;
      if (this.queue.length < QUEUE_PAUSE / 4 && this.socket.isPaused() && !this.closed) this.socket.resume();
      return Promise.resolve(ev);
    }
    if (this.closed) return Promise.resolve(null);
    this.startIdleTimer();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private wake(ev: ReaderEvent | null): void {
    const w = this.waiter;
    this.waiter = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    w?.(ev);
  }

  /** the IMAP idle timeout applies (limits.imap_idle_timeout_s): ManageSieve clients are mail clients */
  private startIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.log.info('ManageSieve client idle too long; closing connection');
      void this.closeWith(bye('Idle timeout'));
    }, this.ctx.config.limits.imap_idle_timeout_s * 1000);
  }

  private shutdownRequested(): void {
    this.stopWith(bye('Server shutting down', 'TRYLATER'));
  }

  /** ends the session with `response`: now when between commands, else after the running one */
  private stopWith(response: string): void {
    this.stopping ??= response;
    if (!this.busy || this.waiter) void this.closeWith(this.stopping);
  }

  private cleanup(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.ctx.shutdown.removeEventListener('abort', this.onShutdown);
    this.registration.end();
  }

  private async run(): Promise<void> {
    await this.write(this.capabilityText() + ok(`${this.ctx.config.hostname} letterbox ManageSieve ready`));
    for (;;) {
      const ev = await this.nextEvent();
      if (ev === null || this.closed) break;
      this.busy = true;
      try {
        if (ev.kind === 'too-long') await this.badCommand('Command line too long');
        else if (ev.kind === 'error') await this.badCommand(`Syntax error: ${ev.message}`);
        else await this.dispatch(ev.args);
      } finally {
        this.busy = false;
      }
      if (this.stopping && !this.closed) await this.closeWith(this.stopping);
    }
  }

  private async dispatch(args: Arg[]): Promise<void> {
    const started = performance.now();
    this.lastStatus = null;
    let command = 'other';
    try {
      command = await this.dispatchCommand(args);
    } finally {
      this.ctx.metrics?.command('managesieve', command, (this.lastStatus ?? 'OK').toLowerCase(), (performance.now() - started) / 1000);
    }
  }

  /** runs one command; returns its name for the metrics ("other" when it is unknown or malformed) */
  private async dispatchCommand(args: Arg[]): Promise<string> {
    const first = args[0];
    if (!first) return this.badCommand('Empty command').then(() => 'other');
    if (first.type !== 'atom') return this.badCommand('A command starts with its name').then(() => 'other');
    const name = first.value.toUpperCase();
    this.log.trace({ cmd: name }, 'ManageSieve command');
    this.registration.touch();
    const def = this.commands.get(name);
    if (!def) return this.badCommand(`Unknown command ${name.slice(0, 20)}`).then(() => 'other');
    if (!def.states.includes(this.state)) {
      await this.badCommand(this.state === 'NONAUTH' ? `${name} needs a login first (AUTHENTICATE)` : `${name} is not allowed after login`);
      return name;
    }
    try {
      await def.run(this, args.slice(1));
    } catch (e) {
      const r = errorResponse(e);
      if (r.log) this.log.warn({ err: (e as Error).message, cmd: name }, 'ManageSieve command failed');
      await this.write(r.response);
    }
    return name;
  }
}
