/**
 * One POP3 connection: the state machine of RFC 1939 §3 (AUTHORIZATION → TRANSACTION →
 * UPDATE), with STLS (RFC 2595 §4) restarting AUTHORIZATION on the TLS socket.
 *
 * Invariants:
 * - Commands run strictly one at a time in arrival order (PIPELINING, RFC 2449 §6.6): lines
 *   are queued and the loop awaits each command before taking the next. A command that needs
 *   more input (AUTH continuation, RFC 5034 §4) reads it with readLine().
 * - The maildrop lock is held from a successful login until the connection ends; deletions
 *   happen only in UPDATE after QUIT, so a dropped connection deletes nothing. RETR's \Seen
 *   marks are written once, at QUIT or when the connection ends (writeSeen).
 * - Nothing here logs passwords, SASL data or message bodies.
 */
import type * as net from 'node:net';
import type { ServerContext } from '../../context.js';
import type { ConnectionInfo } from '../../net/types.js';
import { StoreError, type Account } from '../../store/types.js';
import { plaintextAllowed } from '../../auth/policy.js';
import { LineSplitter, parseCommandLine, type LineEvent, type Pop3CommandLine } from '../wire/lines.js';
import { err, ok } from '../wire/response.js';
import { storeErrorResponse } from './errors.js';
import type { Maildrop } from './maildrop.js';
import { LineSession } from '../../net/line-session.js';

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

/** commands whose arguments must never reach a log */
const SECRET_ARGS = new Set(['PASS', 'AUTH']);

/** queued command text that pauses reading from the client (lines may be up to limits.line_length each) */
const QUEUE_PAUSE_BYTES = 256 * 1024;
/** output queued before a write waits for the client to read (LineSessionOptions.writeBufferBytes) */
const WRITE_BUFFER_BYTES = 128 * 1024;
const eventBytes = (ev: LineEvent): number => (ev.kind === 'line' ? ev.line.length + 2 : 0);

export class Pop3Session extends LineSession<LineEvent> {
  state: Pop3State = 'AUTHORIZATION';
  /** USER given, waiting for PASS (RFC 1939 §7) */
  pendingUser: string | null = null;
  login: Pop3Login | null = null;
  readonly origin: string;

  /**
   * Bodies read ahead, by UID, for RETRs already queued behind the running one (a pipelined
   * window: ../commands/send.ts loadForRetr); each is taken by its own RETR. null: the read
   * found that message gone (expunged by another session).
   */
  readonly readAhead = new Map<number, Buffer | null>();

  private readonly splitter: LineSplitter;

  constructor(
    socket: net.Socket,
    info: ConnectionInfo,
    readonly ctx: ServerContext,
    /** the command table (./commands/index.ts), handed in by ./server.ts */
    private readonly commands: ReadonlyMap<string, Pop3Command>,
  ) {
    super(socket, info, ctx, {
      label: 'POP3',
      protocol: 'pop3',
      tlsCommand: 'STLS',
      // the idle clock (limits.pop3_idle_timeout_s) runs only while waiting for a complete line
      idleTimeoutS: () => ctx.config.limits.pop3_idle_timeout_s,
      // lines may be up to limits.line_length each: reading pauses above 1000 lines or QUEUE_PAUSE_BYTES
      pauseEvents: 1000,
      resumeEvents: 100,
      pauseBytes: QUEUE_PAUSE_BYTES,
      eventBytes,
      corkPipelined: true,
      // a window of pipelined RETRs (the bench's 10 × 11 KB) leaves in one writev: measured
      // 10-20 % less server CPU per message than a writev and a drain wait every 16 KiB
      writeBufferBytes: WRITE_BUFFER_BYTES,
      drainTimeout: { seconds: () => ctx.config.limits.pop3_idle_timeout_s, setting: 'limits.pop3_idle_timeout_s' },
      logDrops: true,
    });
    this.origin = `pop3:${info.id}`;
    this.splitter = new LineSplitter(ctx.config.limits.line_length);
  }

  /** plaintext USER/PASS and AUTH are allowed on this connection now (src/auth/policy.ts) */
  plaintextAllowed(): boolean {
    return plaintextAllowed(this.ctx.config, { ...this.info, secure: this.secure });
  }

  /** STLS is offered: a STARTTLS listener, not yet upgraded (RFC 2595 §4) */
  canStartTls(): boolean {
    return this.info.startTls && !this.secure && this.state === 'AUTHORIZATION';
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

  /**
   * Writes the \Seen marks of the messages RETR sent (pop3.retr_marks_seen; Maildrop
   * .markRetrieved) in ONE store update, as Dovecot does: at QUIT (UPDATE state, before the
   * deletions) and, when the connection ends without QUIT, as it ends (the client has those
   * messages; Dovecot's client destroy writes its seen marks too, but never its deletions).
   * Until then IMAP does not see them \Seen. Never rejects: a failure is logged only.
   */
  async writeSeen(exceptDeleted = false): Promise<void> {
    if (!this.login) return;
    const { account, maildrop } = this.login;
    const uids = maildrop.takeRetrievedUids(exceptDeleted);
    if (uids.length === 0) return;
    try {
      await this.ctx.store.storeFlags(account.id, maildrop.inbox.id, uids, 'add', ['\\Seen'], { origin: this.origin });
    } catch (e) {
      this.log.warn({ user: account.address, count: uids.length, err: (e as Error).message }, 'POP3 could not mark retrieved messages \\Seen');
    }
  }

  /** the command lines queued behind the running one, oldest first, parsed as they are asked for (each still runs in its turn) */
  *queuedCommands(): Generator<Pop3CommandLine> {
    for (const ev of this.queue) {
      if (ev.kind !== 'line') return;
      yield parseCommandLine(ev.line);
    }
  }

  /** counts a bad command; after limits.bad_commands_before_disconnect the connection ends */
  badCommand(response: string): Promise<void> {
    return this.countBadCommand(response, this.ctx.config.limits.bad_commands_before_disconnect, err('Too many bad commands; closing connection'));
  }

  /**
   * STLS (RFC 2595 §4): after "+OK" the TLS handshake starts; buffered plaintext input is
   * discarded and the session starts over in AUTHORIZATION on the TLS socket.
   */
  async startTls(): Promise<void> {
    await this.upgradeTls(ok('Begin TLS negotiation now'), () => {
      this.pendingUser = null;
      this.state = 'AUTHORIZATION';
    });
  }

  // ───────────── internals ─────────────

  protected split(chunk: Buffer): LineEvent[] {
    return this.splitter.push(chunk);
  }

  protected resetInput(): void {
    this.splitter.reset();
  }

  protected override received(chunk: Buffer): void {
    super.received(chunk);
    // half a line gets no reply: acknowledge it now, or a Nagle client waits for the delayed ACK
    if (this.splitter.holding) this.info.ackNow?.();
  }

  protected shutdownResponse(): string {
    return err('server shutting down');
  }

  protected idleResponse(): string {
    return err('Idle timeout; closing connection');
  }

  protected endedResponse(reason: string): string {
    return err(`Session ended: ${reason}`, 'AUTH');
  }

  protected override cleanup(): void {
    super.cleanup();
    // leaving without QUIT: delete nothing (RFC 1939 §6), write the \Seen marks of what was
    // retrieved, then release the maildrop. In UPDATE the QUIT handler does both.
    const login = this.login;
    if (this.state !== 'UPDATE' && login) void this.writeSeen().then(() => login.release());
  }

  protected greeting(): string {
    // RFC 1939 §4 greeting; no APOP timestamp since APOP is not offered
    return ok(`${this.ctx.config.hostname} letterbox POP3 server ready`);
  }

  protected async handle(ev: LineEvent): Promise<void> {
    if (ev.kind === 'too-long') await this.badCommand(err('Command line too long'));
    else await this.dispatch(ev.line);
  }

  private async dispatch(line: string): Promise<void> {
    const cmd = parseCommandLine(line);
    this.registration.touch();
    this.log.trace({ cmd: cmd.keyword, args: SECRET_ARGS.has(cmd.keyword) ? undefined : cmd.rest }, 'POP3 command');
    const def = this.commands.get(cmd.keyword);
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
