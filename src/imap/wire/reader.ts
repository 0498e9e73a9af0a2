/**
 * Resumable IMAP command reader (RFC 9051 §2.2, §4.3; RFC 7888 LITERAL+/LITERAL-; RFC 3516 literal8).
 *
 * Pure: it never touches a socket and never changes session state. The session feeds it
 * bytes with push(chunk) and pulls events with next() when it is ready for the next
 * command (pull model: pipelined commands wait in the buffer while one runs; for
 * AUTHENTICATE continuations and IDLE's "DONE" the session pulls raw lines with nextLine()).
 *
 * Events from next():
 * - {type:'command', tag, name, args, size}: one complete command (all its literals read).
 * - {type:'need-literal', tag, name, size, nonSync, binary}: the line ended with a literal
 *   marker. For a synchronizing literal (`{n}`, nonSync=false) the session MUST send
 *   "+ Ready for literal data" (or reject with a tagged NO/BAD and call rejectLiteral());
 *   for `{n+}` the data follows anyway (the session may still rejectLiteral() to have it
 *   skipped and must then reply to the tag itself).
 * - {type:'error', tag?, name?, code, message, fatal}: the session replies `tag BAD message`
 *   (or `* BAD` without a tag; `NO [TOOBIG]` for code 'literal-too-big' on a sync literal)
 *   and closes the connection when `fatal` is true. The reader has already resynchronised.
 *
 * Bounded memory: a line (more exactly: the text of one command, across its literal
 * continuation lines) may not exceed maxLineLength; literals may not exceed maxLiteralSize
 * and one command's literals together maxCommandLiteralBytes. Oversized non-synchronizing
 * literals are skipped, never buffered. push() returns false when more than highWaterMark
 * bytes wait unparsed: the session should pause the socket until it has pulled more events.
 * Literal bytes are kept as slices of the pushed chunks and joined once at the end.
 */
import { CommandSyntaxError, isValidTag, tokenizeCommand, type CommandSegment } from './lexer.js';
import type { Token } from './tokens.js';
import { ByteQueue } from './bytequeue.js';

export interface ReaderOptions {
  /** max bytes of command text (excluding literal data), also of one nextLine() line; default 64 KiB */
  maxLineLength?: number;
  /** max size of one literal; default 64 MiB */
  maxLiteralSize?: number;
  /** max total literal bytes in one command (MULTIAPPEND); default 4 × maxLiteralSize */
  maxCommandLiteralBytes?: number;
  /** largest non-synchronizing literal accepted: Infinity for LITERAL+, 4096 for LITERAL- (RFC 7888 §5) */
  maxNonSyncLiteral?: number;
  /** max nesting of parentheses; default 32 */
  maxDepth?: number;
  /** push() returns false above this many buffered bytes; default maxLineLength + 64 KiB */
  highWaterMark?: number;
}

export type ReaderErrorCode =
  | 'syntax' // tokenizer error: reply BAD
  | 'line-too-long' // reply BAD (or BYE) and close
  | 'literal-too-big' // over maxLiteralSize / maxCommandLiteralBytes: reply NO [TOOBIG] (sync) or BAD + close (non-sync)
  | 'nonsync-too-big'; // LITERAL- violation (RFC 7888 §5): reply BAD

export type ReaderEvent =
  | { type: 'command'; tag: string; name: string; args: Token[]; size: number }
  | { type: 'need-literal'; tag: string; name: string; size: number; nonSync: boolean; binary: boolean }
  | { type: 'error'; tag?: string; name?: string; code: ReaderErrorCode; message: string; fatal: boolean };

export type LineEvent =
  | { type: 'line'; line: Buffer }
  | { type: 'error'; code: 'line-too-long'; message: string; fatal: boolean };

interface PendingCommand {
  segs: CommandSegment[];
  textBytes: number;
  literalBytes: number;
  literals: number;
  tag?: string;
  name?: string;
  /** rejected/oversized: keep reading (skipping literals) until its end, emit nothing */
  discarding: boolean;
}

interface PendingLiteral {
  remaining: number;
  size: number;
  parts: Buffer[];
  binary: boolean;
  nonSync: boolean;
  discard: boolean;
  /** true until the first byte arrives: rejectLiteral() is still allowed */
  fresh: boolean;
  /** accumulation buffer for small pieces */
  acc: Buffer | null;
  accLen: number;
}

const SMALL_PIECE = 8192;
const ACC_SIZE = 65536;

const MARKER = /(~?)\{(\d{1,20})(\+?)\}$/;

export class CommandReader {
  readonly maxLineLength: number;
  readonly maxLiteralSize: number;
  readonly maxCommandLiteralBytes: number;
  maxNonSyncLiteral: number;
  readonly maxDepth: number;
  readonly highWaterMark: number;

  private readonly q = new ByteQueue();

  private cmd: PendingCommand | null = null;
  private lit: PendingLiteral | null = null;
  private skipLine = false;

  constructor(opts: ReaderOptions = {}) {
    this.maxLineLength = opts.maxLineLength ?? 64 * 1024;
    this.maxLiteralSize = opts.maxLiteralSize ?? 64 * 1024 * 1024;
    this.maxCommandLiteralBytes = opts.maxCommandLiteralBytes ?? 4 * this.maxLiteralSize;
    this.maxNonSyncLiteral = opts.maxNonSyncLiteral ?? Infinity;
    this.maxDepth = opts.maxDepth ?? 32;
    this.highWaterMark = opts.highWaterMark ?? this.maxLineLength + 64 * 1024;
  }

  /** Bytes received and not yet consumed. */
  get buffered(): number {
    return this.q.size;
  }

  /** True while a command is partly read (between lines/literals of one command). */
  get inCommand(): boolean {
    return this.cmd !== null || this.lit !== null;
  }

  /**
   * Right after a need-literal event: the literal bytes the command has announced so far
   * (this literal included) and how many literals. The session applies per-state limits
   * with these (src/imap/session/limits.ts) and calls rejectLiteral() when over.
   */
  get commandLiteralBytes(): number {
    return this.cmd?.literalBytes ?? 0;
  }
  get commandLiterals(): number {
    return this.cmd?.literals ?? 0;
  }

  /** Adds received bytes. Returns false when the session should pause reading (see highWaterMark). */
  push(chunk: Buffer): boolean {
    this.q.push(chunk);
    return this.q.size <= this.highWaterMark || (this.lit !== null && this.q.size <= this.lit.remaining);
  }

  /**
   * After a need-literal event: do not read this literal. For a synchronizing literal the
   * command is dropped (the client sends nothing more for it); for a non-synchronizing one
   * its bytes and the rest of the command are skipped. Either way no event follows for it.
   */
  rejectLiteral(): void {
    const lit = this.lit;
    if (!lit || !lit.fresh) throw new Error('rejectLiteral() is only valid right after a need-literal event');
    if (!lit.nonSync) {
      this.lit = null;
      this.cmd = null;
      return;
    }
    lit.discard = true;
    lit.parts = [];
    lit.acc = null;
    if (this.cmd) this.cmd.discarding = true;
  }

  /** Next event, or null when more bytes are needed. */
  next(): ReaderEvent | null {
    for (;;) {
      if (this.skipLine) {
        const lf = this.q.findLF();
        if (lf < 0) {
          this.q.consume(this.q.size, false);
          return null;
        }
        this.q.consume(lf + 1, false);
        this.skipLine = false;
        continue;
      }
      if (this.lit) {
        if (!this.readLiteral()) return null;
        continue;
      }
      const allowed = this.maxLineLength - (this.cmd?.textBytes ?? 0);
      const lf = this.q.findLF();
      if (lf < 0) {
        if (this.q.size > allowed) return this.lineTooLong(true);
        return null;
      }
      if (lf > allowed + 1) return this.lineTooLong(false, lf);
      let line = this.q.take(lf);
      this.q.consume(lf + 1, false); // line + LF
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      if (!this.cmd && line.length === 0) continue; // empty lines between commands are ignored
      const ev = this.onLine(line);
      if (ev) return ev;
    }
  }

  /**
   * Raw line mode (AUTHENTICATE responses, IDLE "DONE"): the next CRLF-terminated line
   * without its CRLF, or null when incomplete. Only valid between commands.
   */
  nextLine(): LineEvent | null {
    if (this.inCommand) throw new Error('nextLine() called in the middle of a command');
    if (this.skipLine) {
      const lf0 = this.q.findLF();
      if (lf0 < 0) {
        this.q.consume(this.q.size, false);
        return null;
      }
      this.q.consume(lf0 + 1, false);
      this.skipLine = false;
    }
    const lf = this.q.findLF();
    if (lf < 0) {
      if (this.q.size > this.maxLineLength) {
        this.q.consume(this.q.size, false);
        this.skipLine = true;
        return { type: 'error', code: 'line-too-long', message: `Line longer than ${this.maxLineLength} bytes`, fatal: true };
      }
      return null;
    }
    if (lf > this.maxLineLength + 1) {
      this.q.consume(lf + 1, false);
      return { type: 'error', code: 'line-too-long', message: `Line longer than ${this.maxLineLength} bytes`, fatal: true };
    }
    let line = this.q.take(lf);
    this.q.consume(lf + 1, false);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    return { type: 'line', line };
  }

  // ───────────────────────── internals ─────────────────────────

  private onLine(line: Buffer): ReaderEvent | null {
    const cmd: PendingCommand = (this.cmd ??= { segs: [], textBytes: 0, literalBytes: 0, literals: 0, discarding: false });
    cmd.textBytes += line.length + 2;
    const tail = line.length > 32 ? line.toString('latin1', line.length - 32) : line.toString('latin1');
    const m = line[line.length - 1] === 0x7d ? MARKER.exec(tail) : null;
    if (!m) {
      cmd.segs.push({ text: line, literal: null });
      this.cmd = null;
      if (cmd.discarding) return null;
      return this.finish(cmd);
    }
    const text = line.subarray(0, line.length - m[0].length);
    cmd.segs.push({ text, literal: null });
    if (cmd.segs.length === 1) this.identify(cmd, text);
    const size = Number(m[2]);
    const binary = m[1] === '~';
    const nonSync = m[3] === '+';
    this.lit = { remaining: size, size, parts: [], binary, nonSync, discard: cmd.discarding, fresh: true, acc: null, accLen: 0 };
    if (cmd.discarding) return null;
    if (!cmd.tag || !isValidTag(cmd.tag)) {
      this.dropOrSkip(nonSync);
      return { type: 'error', code: 'syntax', message: 'Invalid tag', fatal: nonSync && size > this.maxLiteralSize };
    }
    const who = { tag: cmd.tag, name: cmd.name };
    if (size > this.maxLiteralSize || cmd.literalBytes + size > this.maxCommandLiteralBytes) {
      const message =
        size > this.maxLiteralSize
          ? `Literal of ${size} bytes is larger than the limit of ${this.maxLiteralSize} bytes`
          : `Literals in one command may total at most ${this.maxCommandLiteralBytes} bytes`;
      this.dropOrSkip(nonSync);
      return { type: 'error', ...who, code: 'literal-too-big', message, fatal: nonSync };
    }
    if (nonSync && size > this.maxNonSyncLiteral) {
      this.dropOrSkip(true);
      return {
        type: 'error',
        ...who,
        code: 'nonsync-too-big',
        message: `Non-synchronizing literals are limited to ${this.maxNonSyncLiteral} bytes (LITERAL-); send this one as a synchronizing literal`,
        fatal: false,
      };
    }
    cmd.literalBytes += size;
    cmd.literals++;
    return { type: 'need-literal', tag: cmd.tag, name: cmd.name ?? '', size, nonSync, binary };
  }

  /** Sync literal refused: the client sends nothing; non-sync: skip its bytes and the command's rest. */
  private dropOrSkip(nonSync: boolean): void {
    if (!nonSync) {
      this.lit = null;
      this.cmd = null;
    } else {
      this.lit!.discard = true;
      this.cmd!.discarding = true;
    }
  }

  /** Tag and command name from the first line, for need-literal and error events. */
  private identify(cmd: PendingCommand, first: Buffer): void {
    const words = first.toString('latin1', 0, Math.min(first.length, 200)).split(' ');
    cmd.tag = words[0];
    const name = (words[1] ?? '').toUpperCase();
    cmd.name = name === 'UID' && words[2] ? `UID ${words[2].toUpperCase()}` : name;
  }

  private finish(cmd: PendingCommand): ReaderEvent {
    const size = cmd.textBytes + cmd.literalBytes;
    try {
      const t = tokenizeCommand(cmd.segs, this.maxDepth);
      return { type: 'command', tag: t.tag, name: t.name, args: t.args, size };
    } catch (e) {
      if (e instanceof CommandSyntaxError) {
        return { type: 'error', tag: e.tag, name: e.commandName, code: 'syntax', message: e.message, fatal: false };
      }
      throw e;
    }
  }

  /** Moves literal bytes from the buffer; true when the literal is complete. */
  private readLiteral(): boolean {
    const lit = this.lit!;
    if (lit.remaining > 0) {
      if (this.q.size === 0) return false;
      lit.fresh = false;
      const n = Math.min(lit.remaining, this.q.size);
      if (lit.discard) this.q.consume(n, false);
      else for (const b of this.q.consume(n, true)) this.addLiteralPiece(lit, b);
      lit.remaining -= n;
      if (lit.remaining > 0) return false;
    }
    this.flushLiteralAcc(lit);
    this.lit = null;
    if (!lit.discard && this.cmd) {
      const value = lit.parts.length === 1 ? lit.parts[0]! : Buffer.concat(lit.parts, lit.size);
      this.cmd.segs[this.cmd.segs.length - 1]!.literal = { type: 'literal', value, binary: lit.binary };
    }
    return true;
  }

  /**
   * Large slices are kept as they are (no copy); small ones (a client trickling bytes) are
   * copied into a shared buffer so that a literal never turns into millions of tiny slices.
   */
  private addLiteralPiece(lit: PendingLiteral, b: Buffer): void {
    if (b.length >= SMALL_PIECE || (b.length === lit.size && lit.parts.length === 0 && !lit.acc)) {
      this.flushLiteralAcc(lit);
      lit.parts.push(b);
      return;
    }
    if (lit.acc && lit.accLen + b.length > lit.acc.length) this.flushLiteralAcc(lit);
    if (!lit.acc) {
      lit.acc = Buffer.allocUnsafe(Math.max(b.length, Math.min(ACC_SIZE, lit.remaining)));
      lit.accLen = 0;
    }
    b.copy(lit.acc, lit.accLen);
    lit.accLen += b.length;
  }

  private flushLiteralAcc(lit: PendingLiteral): void {
    if (lit.acc && lit.accLen) lit.parts.push(lit.acc.subarray(0, lit.accLen));
    lit.acc = null;
    lit.accLen = 0;
  }

  private lineTooLong(noLf: boolean, lf = 0): ReaderEvent {
    const cmd = this.cmd;
    let tag = cmd?.tag;
    if (!cmd) {
      const head = this.q.peekHead(64).toString('latin1');
      const t = head.split(' ')[0];
      if (t && isValidTag(t) && head.includes(' ')) tag = t;
    }
    if (noLf) {
      this.q.consume(this.q.size, false);
      this.skipLine = true;
    } else {
      this.q.consume(lf + 1, false);
    }
    this.cmd = null;
    return {
      type: 'error',
      ...(tag ? { tag } : {}),
      code: 'line-too-long',
      message: `Command line longer than ${this.maxLineLength} bytes`,
      fatal: true,
    };
  }
}
