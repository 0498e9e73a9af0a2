/**
 * The plumbing a line-based session shares (POP3, ManageSieve): client input split into
 * events by the protocol's own reader and queued with back-pressure, writes that wait for
 * the socket to drain, the idle clock, the STARTTLS/STLS socket upgrade, and the ways a
 * session ends (client gone, final response, shutdown, account removed).
 *
 * Invariants:
 * - Events run strictly one at a time in arrival order: run() awaits handle() for each before
 *   taking the next; a command that needs more input reads it with nextEvent().
 * - The idle clock runs only while the session waits for a complete event from the client,
 *   never while a command runs (a slow download of a big message is not idleness). It costs
 *   a clock read per command: the wait's start is noted, and one timer per session, armed for
 *   the whole timeout when none is pending, checks on firing how long the current wait has
 *   lasted (closes, or re-arms for the rest; none while a command runs).
 * - A stop request (shutdown, account removed) ends the session between commands, or at
 *   once when it waits for input, with the protocol's own final response.
 * Each protocol keeps its wording: the responses come from the subclass, log lines name
 * `label` ("POP3", "ManageSieve").
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionInfo, TlsProvider } from './types.js';
import type { SessionHandle, SessionProtocol, SessionRegistry } from './sessions.js';

/** what a line session takes from the server context (src/context.ts) */
export interface LineSessionContext {
  log: Logger;
  tls: TlsProvider;
  /** fires on graceful shutdown */
  shutdown: AbortSignal;
  sessions: SessionRegistry;
}

export interface LineSessionOptions<E> {
  /** the protocol's name in log lines */
  label: string;
  /** the protocol in the session registry and the log's `proto` */
  protocol: SessionProtocol;
  /** the command that upgrades to TLS (STLS, STARTTLS), in log lines */
  tlsCommand: string;
  /** seconds without a complete line from the client before the session ends */
  idleTimeoutS: () => number;
  /** reading pauses above this many queued events (or pauseBytes), resumes below resumeEvents (and pauseBytes / 4) */
  pauseEvents: number;
  resumeEvents: number;
  pauseBytes?: number;
  /** the bytes an event counts against pauseBytes */
  eventBytes?: (ev: E) => number;
  /** pipelined commands: their responses leave together, in few writes */
  corkPipelined?: boolean;
  /**
   * write() waits for the socket to drain only once this many bytes are queued in it
   * (default 0: whenever the socket says so, above its 16 KiB highWaterMark). Larger, the
   * responses of pipelined commands stay corked and leave in one writev instead of one per
   * 16 KiB, without a drain wait (a promise and a timer) each time.
   */
  writeBufferBytes?: number;
  /** a client that stops reading may hold a write this long (seconds; `setting` names it in the log) */
  drainTimeout?: { seconds: () => number; setting: string };
  /** log (debug) a client that drops the connection */
  logDrops?: boolean;
}

export abstract class LineSession<E> {
  socket: net.Socket;
  secure: boolean;
  readonly log: Logger;
  /** this session's entry in the session registry (who is connected; ends us when the account goes) */
  readonly registration: SessionHandle;

  protected queue: E[] = [];
  protected closed = false;
  /** bytes of the queued events (opts.eventBytes) */
  private queuedBytes = 0;
  private waiter: ((ev: E | null) => void) | null = null;
  private badCommands = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** performance.now() when the current wait for client input began; -1 while not waiting */
  private waitingSince = -1;
  private busy = false;
  /** the final response once the session must end (shutdown, account removed…): sent between commands */
  private stopping: string | null = null;
  private readonly onData = (chunk: Buffer): void => this.received(chunk);
  private readonly onShutdown = (): void => this.stopWith(this.shutdownResponse());

  constructor(
    socket: net.Socket,
    readonly info: ConnectionInfo,
    private readonly server: LineSessionContext,
    private readonly opts: LineSessionOptions<E>,
  ) {
    this.socket = socket;
    this.secure = info.secure;
    this.log = server.log.child({ proto: opts.protocol, conn: info.id, remote: info.remoteAddress });
    this.registration = server.sessions.register(
      { id: info.id, protocol: opts.protocol, listener: info.listener, remoteAddress: info.remoteAddress },
      (reason) => this.stopWith(this.endedResponse(reason)),
    );
  }

  /** the greeting, written first */
  protected abstract greeting(): string;
  /** runs one client event (a command line, or the reader's complaint about one) */
  protected abstract handle(ev: E): Promise<void>;
  /** splits client input into events (the protocol's reader) */
  protected abstract split(chunk: Buffer): Iterable<E>;
  /** forgets partial input (before the TLS handshake) */
  protected abstract resetInput(): void;
  /** the final responses: graceful shutdown, idle timeout, the session ended for `reason` */
  protected abstract shutdownResponse(): string;
  protected abstract idleResponse(): string;
  protected abstract endedResponse(reason: string): string;

  start(): void {
    this.attach(this.socket);
    if (this.server.shutdown.aborted) {
      void this.closeWith(this.shutdownResponse());
      return;
    }
    this.server.shutdown.addEventListener('abort', this.onShutdown, { once: true });
    this.log.debug(`${this.opts.label} connection opened`);
    void this.run();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends `data`; resolves at once unless the socket's buffer is full (then once it drained;
   * full: above its highWaterMark and opts.writeBufferBytes).
   * `written` is called once `data` is no longer needed (the socket's write callback, or now
   * when nothing is written): the caller may then reuse its memory.
   */
  write(data: string | Buffer, written?: () => void): Promise<void> {
    const s = this.socket;
    if (this.closed || s.destroyed) {
      written?.();
      return Promise.resolve();
    }
    this.writing(data);
    if (s.write(data, written) || s.writableLength < (this.opts.writeBufferBytes ?? 0)) return Promise.resolve();
    // corked for pipelined commands (run()): let the buffered output go before waiting
    while (s.writableCorked > 0) s.uncork();
    return new Promise((resolve) => {
      const limit = this.opts.drainTimeout;
      let timer: NodeJS.Timeout | null = null;
      if (limit) {
        // a client that stops reading is idle too: its output may not wait longer than the idle timeout
        const timeoutS = limit.seconds();
        timer = setTimeout(() => {
          this.log.info({ queued: s.writableLength, timeoutS }, `${this.opts.label} client read nothing for ${timeoutS} s (${limit.setting}) with ${s.writableLength} bytes waiting; closing connection`);
          s.destroy(); // 'close' ends the session (attach()) and settles this write
        }, timeoutS * 1000);
      }
      const done = (): void => {
        if (timer) clearTimeout(timer);
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** writes a final response and ends the connection */
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

  /** `data` is about to be written (not called when the connection is gone) */
  protected writing(_data: string | Buffer): void {}

  /** counts a bad command and answers `response`; after limits.bad_commands_before_disconnect (`max`) ends with `closing` */
  protected async countBadCommand(response: string, max: number, closing: string): Promise<void> {
    this.badCommands++;
    if (this.badCommands >= max) {
      this.log.info({ bad: this.badCommands }, `${this.opts.label} client sent too many bad commands; disconnecting`);
      await this.closeWith(closing);
      return;
    }
    await this.write(response);
  }

  /**
   * STARTTLS/STLS: buffered plaintext input is discarded, `okResponse` leaves (even when the
   * command came pipelined, corked), then the handshake; on success `restart` resets the
   * protocol state and reading goes on on the TLS socket. False (and the connection closed)
   * when the handshake failed.
   */
  protected async upgradeTls(okResponse: string, restart: () => void): Promise<boolean> {
    const plain = this.socket;
    plain.off('data', this.onData);
    this.queue = [];
    this.queuedBytes = 0;
    this.resetInput();
    await this.write(okResponse);
    while (plain.writableCorked > 0) plain.uncork();
    try {
      const tlsSocket = await this.server.tls.upgrade(plain);
      this.socket = tlsSocket;
      this.secure = true;
      restart();
      this.attach(tlsSocket);
      this.log.debug(`${this.opts.label} connection upgraded to TLS`);
      return true;
    } catch (e) {
      this.log.info({ err: (e as Error).message }, `${this.opts.label} ${this.opts.tlsCommand} handshake failed; closing connection`);
      this.closed = true;
      plain.destroy();
      this.cleanup();
      this.wake(null);
      return false;
    }
  }

  /** the next client event; null when the connection is gone */
  protected nextEvent(): Promise<E | null> {
    if (this.queue.length > 0) {
      const ev = this.queue.shift()!;
      this.queuedBytes -= this.opts.eventBytes?.(ev) ?? 0;
      const pauseBytes = this.opts.pauseBytes ?? Infinity;
      if (this.queue.length < this.opts.resumeEvents && this.queuedBytes < pauseBytes / 4 && this.socket.isPaused() && !this.closed) this.socket.resume();
      return Promise.resolve(ev);
    }
    if (this.closed) return Promise.resolve(null);
    this.startIdleTimer();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  protected received(chunk: Buffer): void {
    for (const ev of this.split(chunk)) {
      if (this.waiter) this.wake(ev);
      else {
        this.queue.push(ev);
        this.queuedBytes += this.opts.eventBytes?.(ev) ?? 0;
      }
    }
    // a client pipelining far ahead waits until the queue drains (TCP back-pressure)
    const pauseBytes = this.opts.pauseBytes ?? Infinity;
    if ((this.queue.length > this.opts.pauseEvents || this.queuedBytes > pauseBytes) && !this.socket.isPaused()) this.socket.pause();
  }

  /** the session is over (however it ended): timers, shutdown listener, registration */
  protected cleanup(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.waitingSince = -1;
    this.server.shutdown.removeEventListener('abort', this.onShutdown);
    this.registration.end();
  }

  private attach(s: net.Socket): void {
    s.on('data', this.onData);
    s.on('error', (e) => this.log.debug({ err: e.message }, `${this.opts.label} socket error`));
    s.on('close', () => {
      if (s !== this.socket) return; // the plain socket under a TLS upgrade
      if (!this.closed && this.opts.logDrops) this.log.debug(`${this.opts.label} client dropped the connection`);
      this.closed = true;
      this.cleanup();
      this.wake(null);
    });
  }

  private wake(ev: E | null): void {
    const w = this.waiter;
    this.waiter = null;
    this.waitingSince = -1;
    w?.(ev);
  }

  /** a client trickling a partial line is still idle */
  private startIdleTimer(): void {
    this.waitingSince = performance.now();
    this.idleTimer ??= setTimeout(this.onIdleTimer, this.opts.idleTimeoutS() * 1000);
  }

  /** the session's one idle timer fired: close when the current wait lasted the whole timeout, else wait out the rest */
  private readonly onIdleTimer = (): void => {
    this.idleTimer = null;
    if (this.closed || this.waitingSince < 0) return; // a command runs: the next wait arms the timer again
    const timeoutMs = this.opts.idleTimeoutS() * 1000;
    // timers keep whole milliseconds: one that fires up to 1 ms before the clock says is on time
    const leftMs = timeoutMs - (performance.now() - this.waitingSince);
    if (leftMs > 1) {
      this.idleTimer = setTimeout(this.onIdleTimer, leftMs);
      return;
    }
    this.log.info(`${this.opts.label} client idle too long; closing connection`);
    void this.closeWith(this.idleResponse());
  };

  /** ends the session with `response`: now when between commands, else after the running one */
  private stopWith(response: string): void {
    this.stopping ??= response;
    // between commands, or waiting for a continuation line: leave now
    if (!this.busy || this.waiter) void this.closeWith(this.stopping);
  }

  private async run(): Promise<void> {
    await this.write(this.greeting());
    for (;;) {
      const ev = await this.nextEvent();
      if (ev === null || this.closed) break;
      this.busy = true;
      const s = this.socket;
      if (this.opts.corkPipelined && this.queue.length > 0 && s.writableCorked === 0) s.cork();
      try {
        await this.handle(ev);
      } finally {
        this.busy = false;
        if (this.opts.corkPipelined && this.queue.length === 0) while (s.writableCorked > 0) s.uncork();
      }
      if (this.stopping && !this.closed) await this.closeWith(this.stopping);
    }
  }
}
