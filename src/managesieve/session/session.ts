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
import type { ServerContext } from '../../context.js';
import type { ConnectionInfo } from '../../net/types.js';
import type { Account } from '../../store/types.js';
import { LineSession } from '../../net/line-session.js';
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

export class ManageSieveSession extends LineSession<ReaderEvent> {
  state: ManageSieveState = 'NONAUTH';
  account: Account | null = null;
  readonly scripts: SieveScripts;

  private readonly reader: CommandReader;
  /** the status word of the last response written (OK, NO, BYE): the command's result for the metrics */
  private lastStatus: string | null = null;

  constructor(
    socket: net.Socket,
    info: ConnectionInfo,
    readonly ctx: ServerContext,
    /** the command table (../commands/index.ts), handed in by ../server.ts: commands import the session, never the reverse */
    private readonly commands: ReadonlyMap<string, ManageSieveCommand>,
  ) {
    super(socket, info, ctx, {
      label: 'ManageSieve',
      protocol: 'managesieve',
      tlsCommand: 'STARTTLS',
      // the IMAP idle timeout applies (limits.imap_idle_timeout_s): ManageSieve clients are mail clients
      idleTimeoutS: () => ctx.config.limits.imap_idle_timeout_s,
      pauseEvents: QUEUE_PAUSE,
      resumeEvents: QUEUE_PAUSE / 4,
    });
    const sieve = ctx.config.sieve;
    this.scripts = new SieveScripts(ctx.store, { maxScriptBytes: sieve.max_script_bytes, maxScripts: sieve.max_scripts });
    // a script literal may be bigger than allowed: it is read and refused with QUOTA/MAXSIZE
    this.reader = new CommandReader(ctx.config.limits.line_length, () => (this.state === 'AUTH' ? sieve.max_script_bytes : PRE_AUTH_LITERAL));
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

  /** the next client line's arguments (SASL continuations); null when the connection is gone */
  async readLine(): Promise<Arg[] | null> {
    const ev = await this.nextEvent();
    if (ev === null) return null;
    return ev.kind === 'line' ? ev.args : [];
  }

  badCommand(text: string): Promise<void> {
    return this.countBadCommand(no(text), this.ctx.config.limits.bad_commands_before_disconnect, bye('Too many bad commands'));
  }

  /** RFC 5804 §2.2: OK, the handshake, then the capabilities again on the TLS socket */
  async startTls(): Promise<void> {
    if (await this.upgradeTls(ok('Begin TLS negotiation now'), () => undefined)) await this.write(this.capabilityText() + ok('TLS negotiation successful'));
  }

  // ───────────── internals ─────────────

  /** remembers the status word of the response's last line */
  protected override writing(data: string | Buffer): void {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    const last = text.lastIndexOf('\r\n', text.length - 3);
    this.lastStatus = /^(OK|NO|BYE)\b/.exec(text.slice(last < 0 ? 0 : last + 2))?.[1] ?? this.lastStatus;
  }

  protected split(chunk: Buffer): ReaderEvent[] {
    return this.reader.push(chunk);
  }

  protected resetInput(): void {
    this.reader.reset();
  }

  protected shutdownResponse(): string {
    return bye('Server shutting down', 'TRYLATER');
  }

  protected idleResponse(): string {
    return bye('Idle timeout');
  }

  protected endedResponse(reason: string): string {
    return bye(`Session ended: ${reason}`);
  }

  protected greeting(): string {
    return this.capabilityText() + ok(`${this.ctx.config.hostname} letterbox ManageSieve ready`);
  }

  protected async handle(ev: ReaderEvent): Promise<void> {
    if (ev.kind === 'too-long') await this.badCommand('Command line too long');
    else if (ev.kind === 'error') await this.badCommand(`Syntax error: ${ev.message}`);
    else await this.dispatch(ev.args);
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
