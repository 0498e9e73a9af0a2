/**
 * One IMAP connection (RFC 9051 §3 state machine).
 *
 * Invariants (the rules of when untagged responses may be sent, RFC 9051 §5.2, §7.5.1):
 * - Commands run strictly one after another, in arrival order, while input keeps being
 *   read and framed (pipelining without reordering; RFC 9051 §5.5).
 * - Changes from other sessions are buffered in the SelectedView and told to the client
 *   only at sync points: the end of a command (no EXPUNGE after FETCH, STORE, SEARCH by
 *   sequence number), NOOP/CHECK, and immediately during IDLE.
 * - Output respects backpressure: long responses await `drain` (see flush()).
 * - A command never crashes the connection: every run is wrapped; unexpected errors become
 *   NO [SERVERBUG] plus an error log line.
 */
import { randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { ServerContext } from '../../context.js';
import type { ConnectionInfo } from '../../net/types.js';
import type { Account, Change } from '../../store/types.js';
import { plaintextAllowed } from '../../auth/policy.js';
import { toTagged } from './errors.js';
import type { NameOptions } from '../wire/args/mailbox.js';
import { capabilities } from './capability.js';
import { CommandReader } from '../wire/reader.js';
import { atom, flagList, respCode, seqSet, WireWriter, type RespCode, type Status, type WireValue } from '../wire/encode.js';
import type { Token } from '../wire/tokens.js';
import type { SelectedView } from './selected.js';
import type { ImapCommand, ImapSession, Request, SearchContextHandle, SessionState, Tagged } from './types.js';
import { onShutdown } from './shutdown.js';
import { flagsResponses, isKeyword } from './flags.js';
import { Compression } from './compress.js';
import { Progress, PROGRESS_AFTER_MS } from './progress.js';
import type { Notifier } from './notify.js';
import { LITERAL_MINUS_MAX, literalLimitProblem } from './limits.js';
import { refreshRights, requireRights } from './access.js';
import type { SessionHandle } from '../../net/sessions.js';

const PROCESS_TAG = randomBytes(4).toString('hex');

export class Session implements ImapSession {
  readonly id: string;
  state: SessionState = 'notauth';
  socket: net.Socket;
  secure: boolean;
  account: Account | null = null;
  /** what the client called itself in ID (RFC 2971), and its entry in the account's device list */
  client: { name: string | null; device?: string } = { name: null };
  selected: SelectedView | null = null;
  /** ENABLEd extensions (RFC 5161), upper-case */
  readonly enabled = new Set<string>();
  log: Logger;
  private reader: CommandReader;
  private compression: Compression | null = null;
  /** when the last response bytes were written (INPROGRESS is only for silent commands) */
  private lastOutput = 0;
  /** RFC 9585 INPROGRESS for long commands (./progress.ts) */
  private readonly progressTimer = new Progress((code) => {
    // not while IDLE runs (it is meant to last) or while a command waits for client data (SASL)
    if (this.closed || this.idleWake || this.lineWaiter) return;
    // a command that is sending its answer needs no "still working"
    if (Date.now() - this.lastOutput < PROGRESS_AFTER_MS) return;
    this.notice('OK', 'Still working', code);
    this.uncorkAll();
  });
  private busy = false;
  private closed = false;
  private badCount = 0;
  private lineWaiter: ((line: string | null) => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** set while IDLE runs: called when changes arrive */
  private idleWake: (() => void) | null = null;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private offShutdown: (() => void) | null = null;
  private readonly onShutdown = () => this.bye('Server shutting down, please reconnect later');
  /** this session's entry in ctx.sessions (who is connected; ends us when the account goes) */
  readonly registration: SessionHandle;

  constructor(
    socket: net.Socket,
    readonly info: ConnectionInfo,
    readonly ctx: ServerContext,
    /** the command table (../commands/index.ts), handed in by ../server.ts */
    private readonly commands: ReadonlyMap<string, ImapCommand>,
  ) {
    // unique across processes too: Change.origin from another node must never look like ours
    this.id = `imap-${PROCESS_TAG}-${info.id || randomBytes(6).toString('hex')}`;
    this.socket = socket;
    this.secure = info.secure;
    this.log = ctx.log.child({ conn: info.id, proto: 'imap', ip: info.remoteAddress });
    this.reader = newReader(ctx);
    this.registration = ctx.sessions.register(
      { id: info.id, protocol: 'imap', listener: info.listener, remoteAddress: info.remoteAddress },
      (reason) => this.bye(`Session ended: ${reason}`),
    );
  }

  start(): void {
    this.attach(this.socket);
    this.socket.on('close', () => this.cleanup());
    if (this.ctx.shutdown.aborted) return this.bye('Server shutting down');
    this.offShutdown = onShutdown(this.ctx.shutdown, this.onShutdown);
    this.idleTimer = setTimeout(() => this.bye('Autologout; idle for too long'), this.ctx.config.limits.imap_idle_timeout_s * 1000);
    this.idleTimer.unref();
    this.notice('OK', 'letterbox ready', respCode('CAPABILITY', ...capabilities(this).map(atom)));
    this.log.debug('imap session started');
  }

  private attach(sock: net.Socket): void {
    sock.on('data', this.onData);
    sock.on('error', (err) => {
      this.log.debug({ err: err.message }, 'imap socket error');
      this.cleanup();
      sock.destroy();
    });
  }

  // ───────────── policy helpers used by commands ─────────────

  plaintextOk(): boolean {
    return plaintextAllowed(this.ctx.config, { secure: this.secure, remoteAddress: this.info.remoteAddress });
  }
  appendLimit(): number {
    return Math.min(this.ctx.config.limits.message_size, this.ctx.config.limits.literal_size);
  }
  /** names and strings travel as UTF-8 (RFC 9051 / RFC 6855) rather than modified UTF-7 */
  get utf8(): boolean {
    return this.enabled.has('IMAP4REV2') || this.enabled.has('UTF8=ACCEPT');
  }
  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }
  /** RFC 7162 §3.2: VANISHED instead of EXPUNGE, UID in every unsolicited FETCH */
  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }
  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }
  get accountId(): number {
    if (!this.account) throw new Error('no account');
    return this.account.id;
  }
  /** how mailbox names travel for this session (wire NameOptions) */
  get names(): NameOptions {
    return { utf8: this.utf8 };
  }

  // ───────────── output: only encoded responses (../wire/encode.ts) ─────────────

  private write(data: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.lastOutput = Date.now();
    if (this.compression) this.compression.write(data);
    else this.socket.write(data);
  }

  /** COMPRESS=DEFLATE (./compress.ts): everything after the tagged OK is compressed both ways */
  startCompression(): void {
    const sock = this.socket;
    this.uncorkAll();
    const c = new Compression(sock, this.onData, (err) => {
      this.log.info({ err: err.message }, 'imap COMPRESS stream error; closing');
      this.cleanup();
      sock.destroy();
    });
    this.compression = c;
    sock.off('data', this.onData);
    sock.on('data', (chunk: Buffer) => c.input(chunk));
  }
  get compressed(): boolean {
    return this.compression !== null;
  }
  progress(done: number, total: number): void {
    this.progressTimer.update(done, total);
  }
  get uidOnly(): boolean {
    return this.enabled.has('UIDONLY');
  }
  fetchResponse(w: WireWriter, uid: number, items: Array<[string, WireValue]>, view = this.selected): void {
    if (this.uidOnly) {
      w.fetch(uid, items.filter(([label]) => label !== 'UID'), 'UIDFETCH');
      return;
    }
    const seq = view?.seqOf(uid);
    if (seq) w.fetch(seq, items);
  }
  writer(): WireWriter {
    return new WireWriter({ utf8: this.utf8 });
  }
  /** the writer's responses, chunk by chunk (message bytes are written from their own Buffers, never copied) */
  send(w: WireWriter): void {
    const chunks = w.chunks();
    if (chunks.length === 1) this.write(chunks[0]!);
    else if (chunks.length) {
      // one writev for them all, also when the command's cork was lifted to wait for drain
      this.socket.cork();
      for (const c of chunks) this.write(c);
      this.socket.uncork();
    }
  }
  untagged(...values: WireValue[]): void {
    this.send(this.writer().untagged(values));
  }
  notice(status: Status, text: string, code?: RespCode): void {
    this.send(this.writer().status('*', status, text, code));
  }
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: RespCode): void {
    this.send(this.writer().status(tag, status, text, code));
  }
  continuation(text: string): void {
    this.send(this.writer().continuation(text));
  }
  challenge(base64: string): void {
    this.send(this.writer().challenge(base64));
  }
  /**
   * A command's responses are corked and leave in one write when it completes (execute());
   * anything that waits for the client or for drain uncorks first.
   */
  private uncorkAll(): void {
    const s = this.socket;
    while (s.writableCorked > 0) s.uncork();
  }

  /** waits while the socket's buffer is full (big FETCH responses) */
  async flush(): Promise<void> {
    const s = this.compression?.deflate ?? this.socket;
    if (this.closed || this.socket.destroyed || !s.writableNeedDrain) return;
    this.uncorkAll();
    await new Promise<void>((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }
  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  /** "* BYE" and close (shutdown, idle timeout, too many errors) */
  bye(text: string): void {
    if (this.closed) return;
    this.notice('BYE', text);
    this.state = 'logout';
    this.end();
  }
  end(): void {
    const compressed = this.compression !== null;
    this.cleanup();
    // with COMPRESS the deflater ends the socket once its last bytes are out (pipe)
    if (!compressed) this.socket.end();
    const s = this.socket;
    setTimeout(() => s.destroy(), 2000).unref();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = 'logout';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.offShutdown?.();
    this.registration.end();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.selected = null;
    this.watchOwner(null);
    const w = this.lineWaiter;
    this.lineWaiter = null;
    w?.(null);
    this.idleWake?.();
    this.progressTimer.stop();
    this.compression?.close();
    this.log.debug('imap session closed');
  }

  // ───────────── input ─────────────

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.idleTimer?.refresh();
    if (!this.reader.push(chunk) && this.busy) {
      this.socket.pause();
      this.compression?.inflate.pause();
    }
    this.pump();
    // part of a command (a literal whose CRLF follows in another write, as imaplib sends it)
    // gets no reply yet: acknowledge it now, or a Nagle client waits for the delayed ACK
    if (this.reader.inCommand || this.reader.buffered > 0) this.info.ackNow?.();
  }

  /** reads one raw line (AUTHENTICATE responses, IDLE's DONE); null when the connection closed */
  readLine(): Promise<string | null> {
    this.uncorkAll();
    return new Promise((resolve) => {
      this.lineWaiter = resolve;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    if (this.lineWaiter) {
      const l = this.reader.nextLine();
      if (l === null) return;
      const w = this.lineWaiter;
      this.lineWaiter = null;
      if (l.type === 'error') {
        this.bye(l.message);
        w(null);
        return;
      }
      w(l.line.toString('utf8'));
      return;
    }
    if (this.busy) return;
    if (this.socket.isPaused()) {
      this.socket.resume();
      this.compression?.inflate.resume();
    }
    for (;;) {
      const r = this.reader.next();
      if (r === null) return;
      if (r.type === 'error') {
        const tag = r.tag ?? '*';
        if (r.code === 'literal-too-big' && !r.fatal) this.tagged(tag, 'NO', r.message, respCode('TOOBIG'));
        // RFC 7888 §4: a non-synchronizing literal over the LITERAL- limit is BAD [TOOBIG]
        else if (r.code === 'nonsync-too-big') this.tagged(tag, 'BAD', r.message, respCode('TOOBIG'));
        else this.tagged(tag, 'BAD', r.message);
        if (r.fatal) return this.bye('Closing connection after a protocol error');
        if (this.countBad()) return;
        continue;
      }
      if (r.type === 'need-literal') {
        // before login only LOGIN/AUTHENTICATE data is expected, after it only APPEND carries
        // messages: refuse the rest unread (./limits.ts)
        const why = literalLimitProblem(
          this.state !== 'notauth',
          r.name,
          r.size,
          this.reader.commandLiteralBytes,
          this.reader.commandLiterals,
          this.ctx.config.limits.line_length,
        );
        if (why) {
          this.reader.rejectLiteral();
          this.log.info({ command: r.name, literal: r.size, total: this.reader.commandLiteralBytes, literals: this.reader.commandLiterals }, `imap: literal refused: ${why}`);
          this.tagged(r.tag, 'NO', why, respCode('TOOBIG'));
          // RFC 7888 §4: an anonymous client pushing literals it was not invited to send is closed
          if (r.nonSync && this.state === 'notauth') return this.bye('Too much literal data before authentication');
          if (this.countBad()) return;
          continue;
        }
        // RFC 7889: APPEND beyond APPENDLIMIT is refused before the literal is sent
        if (r.name === 'APPEND' && r.size > this.appendLimit()) {
          this.reader.rejectLiteral();
          this.tagged(r.tag, 'NO', `Message of ${r.size} bytes exceeds the limit of ${this.appendLimit()}`, respCode('TOOBIG'));
          continue;
        }
        if (!r.nonSync) this.continuation('Ready for literal data');
        continue;
      }
      this.busy = true;
      void this.execute(r.tag, r.name, r.args).finally(() => {
        this.busy = false;
        if (this.notifier?.hasPending || this.selected?.hasPending) this.pushNotify();
        this.pump();
      });
      return;
    }
  }

  /** true when the connection is being closed for too many bad commands */
  private countBad(): boolean {
    this.badCount++;
    if (this.badCount >= this.ctx.config.limits.bad_commands_before_disconnect) {
      this.log.info({ bad: this.badCount }, 'imap client sent too many invalid commands; disconnecting');
      this.bye('Too many invalid commands');
      return true;
    }
    return false;
  }

  // ───────────── command execution ─────────────

  private async execute(tag: string, name: string, args: Token[]): Promise<void> {
    const sock = this.socket;
    sock.cork();
    if (this.commands.get(name)?.progress) this.progressTimer.start(tag);
    try {
      await this.executeCorked(tag, name, args);
    } finally {
      this.progressTimer.stop();
      while (sock.writableCorked > 0) sock.uncork();
    }
  }

  private async executeCorked(tag: string, name: string, args: Token[]): Promise<void> {
    const req: Request = { tag, name, args };
    this.registration.touch();
    const cmd = this.commands.get(req.name);
    const started = performance.now();
    let result: Tagged;
    if (!cmd) {
      result = { status: 'BAD', text: `Unknown command ${req.name.slice(0, 30)}` };
    } else if (!cmd.states.includes(this.state)) {
      result = { status: 'BAD', text: `${req.name} is not valid in this state (${stateName(this.state)})` };
    } else if (cmd.sequenceNumbers && this.uidOnly) {
      result = { status: 'BAD', code: respCode('UIDREQUIRED'), text: `${req.name} uses message sequence numbers; UIDONLY is enabled, use UID ${req.name}` };
    } else {
      const condstoreBefore = this.condstore;
      try {
        await this.checkSharedSelection(cmd);
        result = (await cmd.run(this, req)) ?? { status: 'OK', text: `${req.name} completed` };
        // RFC 7162 §3.1: a CONDSTORE-enabling command (FETCH MODSEQ, SEARCH MODSEQ, STORE
        // UNCHANGEDSINCE, ENABLE) issued while a mailbox is selected announces HIGHESTMODSEQ
        if (!condstoreBefore && this.condstore && this.selected && !SELECTING.has(req.name)) {
          this.notice('OK', 'Highest', respCode('HIGHESTMODSEQ', this.selected.highestModseq));
        }
      } catch (e) {
        const { tagged, unexpected } = toTagged(e);
        if (unexpected) this.log.error({ err: e, command: req.name }, 'imap command failed unexpectedly');
        result = tagged;
      }
    }
    this.ctx.metrics?.command('imap', cmd?.name ?? 'other', result.status.toLowerCase(), (performance.now() - started) / 1000);
    if (this.closed) return;
    if (!result.written) {
      try {
        await this.sync(!cmd?.noExpungeAfter);
        await this.notifier?.flush(this);
      } catch (e) {
        this.log.error({ err: e }, 'imap: could not report mailbox changes');
      }
      this.tagged(tag, result.status, result.text, result.code);
    }
    if (result.status === 'BAD') {
      if (this.countBad()) return;
    } else this.badCount = 0;
    if (this.state === 'logout') this.end();
  }

  // ───────────── mailbox changes ─────────────

  /** after authentication: listen to the account's change bus */
  authenticated(account: Account, credential?: string): void {
    this.account = account;
    this.state = 'auth';
    this.log = this.log.child({ account: account.address });
    this.unsubscribe = this.ctx.store.bus.subscribe(account.id, (changes) => this.onChanges(changes));
    this.registration.authenticated(account, credential);
    this.reader.maxNonSyncLiteral = Infinity; // LITERAL+
  }

  /**
   * UNAUTHENTICATE (RFC 8437 §3): back to the not-authenticated state on the same connection
   * (TLS kept); the selected mailbox is left without expunging, ENABLEd extensions end.
   */
  unauthenticated(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.selected = null;
    this.watchOwner(null);
    this.enabled.clear();
    this.notifier = null;
    this.contexts.clear();
    this.reader.maxNonSyncLiteral = LITERAL_MINUS_MAX;
    this.account = null;
    this.registration.unauthenticated();
    this.state = 'notauth';
    this.log = this.ctx.log.child({ conn: this.info.id, proto: 'imap', ip: this.info.remoteAddress });
  }

  /**
   * RFC 4314 §5.1.1: on another account's selected mailbox, the rights are read again before
   * each command (a revoked grant holds from the client's next command on); without "r" only
   * the commands that leave the mailbox run.
   */
  private async checkSharedSelection(cmd: ImapCommand): Promise<void> {
    const v = this.selected;
    if (!v || v.owner === this.accountId) return;
    await refreshRights(this, v);
    if (!cmd.states.includes('auth') && !cmd.leavesMailbox) requireRights(v, 'r');
  }

  /** another account's change bus, listened to while one of its mailboxes is (being) selected */
  private ownerFeed: { owner: number; off: () => void } | null = null;

  watchOwner(owner: number | null): void {
    if (owner === this.account?.id) owner = null;
    if ((this.ownerFeed?.owner ?? null) === owner) return;
    this.ownerFeed?.off();
    this.ownerFeed = null;
    if (owner !== null) this.ownerFeed = { owner, off: this.ctx.store.bus.subscribe(owner, (c) => this.onOwnerChanges(c)) };
  }

  /** changes in the account whose mailbox is selected: only that mailbox's view hears them (NOTIFY covers own mailboxes) */
  private onOwnerChanges(changes: Change[]): void {
    if (this.opening) this.opening.push(...changes);
    if (!this.selected) return;
    this.selected.ingest(changes);
    if (this.idleWake && this.selected.hasPending) this.idleWake();
    // NOTIFY (RFC 5465) SELECTED events reach the client without NOOP, as for own mailboxes
    else if (this.notifier && this.selected.hasPending) queueMicrotask(() => this.pushNotify());
  }

  private onChanges(changes: Change[]): void {
    if (this.notifier) {
      this.notifier.note(changes, this.selected?.mailboxId ?? null, this.id);
      queueMicrotask(() => this.pushNotify());
    }
    if (this.opening) this.opening.push(...changes);
    if (!this.selected) return;
    this.selected.ingest(changes);
    if (this.idleWake && this.selected.hasPending) this.idleWake();
  }

  /** changes that arrive while SELECT takes its snapshot (applied idempotently afterwards) */
  opening: Change[] | null = null;

  /** IDLE support: `wake` runs whenever changes arrive, until cleared */
  setIdleWake(wake: (() => void) | null): void {
    this.idleWake = wake;
  }

  /** a sync point: tells the client about buffered changes (RFC 9051 §7.5.1) */
  async sync(expunge: boolean): Promise<number[]> {
    const v = this.selected;
    if (!v || !v.hasPending) return [];
    if (v.owner !== this.accountId) {
      // another account's mailbox: nothing more is told once the right to read it is gone
      // (a revoke during IDLE, or before NOOP), RFC 4314 §5.1.1
      await refreshRights(this, v);
      if (!v.rights.includes('r')) {
        v.drain(true);
        return [];
      }
    }
    const d = v.drain(expunge);
    const w = this.writer();
    if (this.qresync || this.uidOnly) {
      if (d.expungedUids.length) w.untagged([atom('VANISHED'), seqSet(d.expungedUids)]);
    } else for (const s of d.expunged) w.untagged([s, atom('EXPUNGE')]);
    if (d.newUids.length) {
      if (!this.rev2 && !v.readOnly && v.owner === this.accountId) {
        const from = await this.ctx.store.claimRecent(v.owner, v.mailboxId);
        v.addRecent(Math.max(from, d.newUids[0]), d.newUids[d.newUids.length - 1]);
      }
      w.untagged([v.exists, atom('EXISTS')]);
      if (!this.rev2) w.untagged([v.recentCount(), atom('RECENT')]);
    }
    for (const f of d.flags) {
      const seq = v.seqOf(f.uid);
      if (!seq) continue;
      if (f.flags.some((x) => isKeyword(x) && !v.keywords.has(x))) {
        this.send(w);
        this.announceKeywords(f.flags);
      }
      const items: Array<[string, WireValue]> = [];
      if (this.rev2 || this.qresync) items.push(['UID', f.uid]);
      items.push(['FLAGS', flagList(f.flags, !this.rev2 && v.isRecent(f.uid))]);
      if (this.condstore) items.push(['MODSEQ', [f.modseq]]);
      this.fetchResponse(w, f.uid, items);
    }
    // RFC 5267 §4: results kept up to date report how they changed, after EXPUNGE/EXISTS
    if (this.contexts.size && (d.newUids.length || d.expungedUids.length || d.flags.length)) {
      for (const c of this.contexts.values()) {
        const resp = await c.update();
        if (resp) w.untagged(resp);
      }
    }
    this.send(w);
    return d.newUids;
  }

  // ───────────── NOTIFY (RFC 5465, ./notify.ts) ─────────────

  notifier: Notifier | null = null;
  readonly contexts = new Map<string, SearchContextHandle>();
  private notifying: Promise<void> = Promise.resolve();

  /** tells NOTIFY's client about changes now, unless a command (other than IDLE) is running */
  pushNotify(): void {
    const n = this.notifier;
    if (!n || this.closed || (this.busy && !this.idleWake)) return;
    this.notifying = this.notifying
      .then(async () => {
        const sel = n.selectedGroup;
        if (this.selected && sel?.events.size) {
          const fresh = await this.sync(!(sel.filter.kind === 'selected' && sel.filter.delayed));
          if (fresh.length && n.fetchNew) await n.fetchNew(fresh);
        }
        await n.flush(this);
      })
      .catch((e) => this.log.error({ err: e }, 'imap NOTIFY: could not report changes'));
  }

  /**
   * Before FETCH FLAGS that carry a keyword the client has not seen in a FLAGS response,
   * send an updated FLAGS / PERMANENTFLAGS (RFC 9051 §7.3.5; clients build their keyword
   * lists from it).
   */
  announceKeywords(flags: readonly string[]): void {
    const v = this.selected;
    if (!v) return;
    let fresh = false;
    for (const f of flags) {
      if (isKeyword(f) && !v.keywords.has(f)) {
        v.keywords.add(f);
        fresh = true;
      }
    }
    if (fresh) this.send(flagsResponses(this.writer(), v.keywords, v.readOnly, v.rights));
  }

  /** leaves the selected state without expunging (CLOSE expunges first itself) */
  deselect(): void {
    this.contexts.clear();
    this.selected = null;
    this.watchOwner(null);
    if (this.state === 'selected') this.state = 'auth';
  }

  /** STARTTLS: swaps the socket for the TLS one (RFC 9051 §6.2.1) */
  async upgradeTls(): Promise<void> {
    const plain = this.socket;
    this.uncorkAll();
    plain.off('data', this.onData);
    const tlsSock = await this.ctx.tls.upgrade(plain);
    this.socket = tlsSock;
    this.secure = true;
    this.reader = newReader(this.ctx);
    this.attach(tlsSock);
    tlsSock.on('close', () => this.cleanup());
  }
}

/** a reader for a connection that is not (yet) authenticated: LITERAL- (./capability.ts) */
function newReader(ctx: ServerContext): CommandReader {
  return new CommandReader({
    maxLineLength: ctx.config.limits.line_length,
    maxLiteralSize: ctx.config.limits.literal_size,
    maxNonSyncLiteral: LITERAL_MINUS_MAX,
  });
}

/** commands that report HIGHESTMODSEQ themselves when they enable CONDSTORE */
const SELECTING = new Set(['SELECT', 'EXAMINE']);

function stateName(s: SessionState): string {
  return s === 'notauth' ? 'not authenticated' : s === 'auth' ? 'authenticated' : s;
}
