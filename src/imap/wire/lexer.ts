/**
 * Generic command tokenizer (phase one of parsing; typed arguments come from args/).
 *
 * Input is one complete command as collected by the reader: text segments, each but the
 * last followed by the literal whose `{n}` marker ended that line (the marker itself is
 * already stripped by the reader). Output: tag, upper-cased command name, argument tokens.
 *
 * Grammar (RFC 9051 §9; RFC 3501 §9):
 *   command   = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
 *   tag       = 1*<any ASTRING-CHAR except "+">
 *   string    = quoted / literal ;  quoted = DQUOTE *QUOTED-CHAR DQUOTE (only \" and \\ escapes)
 *   literal   = "{" number64 ["+"] "}" CRLF *CHAR8 ; literal8 = "~{" number64 "}" CRLF *OCTET (RFC 3516)
 *   list      = "(" [token *(SP token)] ")"
 *   fetch-att section: ("BODY" / "BODY.PEEK" / "BINARY" / "BINARY.PEEK" / "BINARY.SIZE") "[" ... "]" ["<" n ["." n] ">"]
 * Atoms are lexed leniently (any run of chars except SP ( ) { " CTL, and "]" inside a
 * section) so that flags, sequence sets, list wildcards and ASTRING "]" all lex as atoms;
 * the argument parsers validate what they accept.
 */
import { WireError } from './errors.js';
import { SECTION_NAMES, type ListToken, type LiteralToken, type SectionToken, type Token } from './tokens.js';

export interface CommandSegment {
  text: Buffer;
  literal: LiteralToken | null;
}

export interface TokenizedCommand {
  tag: string;
  /** upper-cased; for UID commands "UID FETCH", "UID STORE", ... */
  name: string;
  args: Token[];
}

/** Thrown by tokenizeCommand; carries the tag/name when they were readable. */
export class CommandSyntaxError extends WireError {
  constructor(
    message: string,
    readonly tag: string | undefined,
    readonly commandName: string | undefined,
  ) {
    super(message, 'BAD');
  }
}

const SP = 0x20;
const END = -1;
const LIT = -2;

function isAtomByte(c: number, inSection: boolean): boolean {
  if (c <= 0x20 || c === 0x7f) return false;
  if (c === 0x28 || c === 0x29 || c === 0x7b || c === 0x22) return false; // ( ) { "
  if (inSection && c === 0x5d) return false; // ]
  return true;
}

/** tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9) */
export function isValidTag(tag: string): boolean {
  return tag.length > 0 && /^[\x21-\x7e]+$/.test(tag) && !/[(){%*"\\+]/.test(tag);
}

export class Lexer {
  private i = 0;
  private pos = 0;

  constructor(
    private readonly segs: CommandSegment[],
    private readonly maxDepth = 32,
  ) {}

  peek(): number {
    const s = this.segs[this.i];
    if (!s) return END;
    if (this.pos < s.text.length) return s.text[this.pos]!;
    return s.literal ? LIT : END;
  }

  atEnd(): boolean {
    return this.peek() === END;
  }

  /** Consumes one SP or throws. */
  expectSp(): void {
    if (this.peek() !== SP) throw new WireError(this.peek() === END ? 'Missing argument' : 'Expected a space');
    this.pos++;
  }

  readToken(depth = 0, inSection = false): Token {
    const c = this.peek();
    if (c === LIT) {
      const lit = this.segs[this.i]!.literal!;
      this.i++;
      this.pos = 0;
      return lit;
    }
    if (c === END) throw new WireError('Missing argument');
    if (c === 0x28) return this.readList(depth + 1, inSection);
    if (c === 0x22) return { type: 'quoted', value: this.readQuoted() };
    if (c === 0x7b) throw new WireError('A literal {n} must be the last thing on its line');
    return this.readAtomOrSection(depth, inSection);
  }

  private readList(depth: number, inSection: boolean): ListToken {
    if (depth > this.maxDepth) throw new WireError(`Parentheses nested deeper than ${this.maxDepth} levels`);
    this.pos++; // (
    const items: Token[] = [];
    for (;;) {
      const c = this.peek();
      if (c === 0x29) {
        this.pos++;
        return { type: 'list', items };
      }
      if (c === END) throw new WireError('Missing ")"');
      if (items.length > 0) this.expectSp();
      items.push(this.readToken(depth, inSection));
      this.checkSeparator(inSection);
    }
  }

  /** After a token: SP, ")", "]" (in a section) or end must follow. */
  checkSeparator(inSection: boolean): void {
    const c = this.peek();
    if (c === SP || c === 0x29 || c === END || (inSection && c === 0x5d)) return;
    throw new WireError('Expected a space between arguments');
  }

  private readQuoted(): string {
    const text = this.segs[this.i]!.text;
    let p = this.pos + 1;
    let start = p;
    const parts: Buffer[] = [];
    for (;;) {
      if (p >= text.length) throw new WireError('Unterminated quoted string');
      const c = text[p]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        const n = text[p + 1];
        if (n !== 0x22 && n !== 0x5c) throw new WireError('Only \\" and \\\\ may be escaped in a quoted string');
        parts.push(text.subarray(start, p));
        p += 1;
        start = p;
        p += 1;
        continue;
      }
      if (c === 0x00 || c === 0x0d || c === 0x0a) throw new WireError('NUL, CR or LF in a quoted string');
      p++;
    }
    parts.push(text.subarray(start, p));
    this.pos = p + 1;
    return Buffer.concat(parts).toString('utf8');
  }

  private readAtomOrSection(depth: number, inSection: boolean): Token {
    const text = this.segs[this.i]!.text;
    const start = this.pos;
    let p = start;
    while (p < text.length && isAtomByte(text[p]!, inSection)) {
      if (text[p] === 0x5b /* [ */ && !inSection) {
        const name = text.toString('latin1', start, p).toUpperCase();
        if (SECTION_NAMES.has(name)) {
          this.pos = p;
          return this.readSection(name, depth);
        }
      }
      p++;
    }
    if (p === start) throw new WireError(`Unexpected character "${String.fromCharCode(text[p] ?? 0x3f)}"`);
    this.pos = p;
    return { type: 'atom', value: text.toString('utf8', start, p) };
  }

  private readSection(name: string, depth: number): SectionToken {
    if (depth + 1 > this.maxDepth) throw new WireError(`Parentheses nested deeper than ${this.maxDepth} levels`);
    this.pos++; // [
    const section: Token[] = [];
    for (;;) {
      const c = this.peek();
      if (c === 0x5d) {
        this.pos++;
        break;
      }
      if (c === END) throw new WireError('Missing "]"');
      if (section.length > 0) this.expectSp();
      section.push(this.readToken(depth + 1, true));
      this.checkSeparator(true);
    }
    let partial: SectionToken['partial'] = null;
    if (this.peek() === 0x3c /* < */) {
      const text = this.segs[this.i]!.text;
      const close = text.indexOf(0x3e, this.pos);
      const m = close < 0 ? null : /^<(\d{1,20})(?:\.(\d{1,20}))?>$/.exec(text.toString('latin1', this.pos, close + 1));
      if (!m) throw new WireError('Bad partial specifier: expected <offset.length>');
      partial = { offset: Number(m[1]), length: m[2] === undefined ? null : Number(m[2]) };
      this.pos = close + 1;
    }
    return { type: 'section', name, section, partial };
  }
}

/**
 * Tokenizes one complete command (RFC 9051 §2.2.1: tag, command name, arguments).
 * `UID` commands get a two-word name ("UID FETCH"). Throws CommandSyntaxError.
 */
export function tokenizeCommand(segs: CommandSegment[], maxDepth = 32): TokenizedCommand {
  const lx = new Lexer(segs, maxDepth);
  let tag: string | undefined;
  let name: string | undefined;
  try {
    const t = lx.readToken();
    if (t.type !== 'atom' || !isValidTag(t.value)) throw new WireError('Invalid tag');
    tag = t.value;
    if (lx.atEnd()) throw new WireError('Missing command name');
    lx.expectSp();
    const n = lx.readToken();
    if (n.type !== 'atom' || !/^[A-Za-z][A-Za-z0-9-]*$/.test(n.value)) throw new WireError('Invalid command name');
    name = n.value.toUpperCase();
    lx.checkSeparator(false);
    if (name === 'UID') {
      lx.expectSp();
      const sub = lx.readToken();
      if (sub.type !== 'atom' || !/^[A-Za-z]+$/.test(sub.value)) throw new WireError('Invalid command after UID');
      name = 'UID ' + sub.value.toUpperCase();
      lx.checkSeparator(false);
    }
    const args: Token[] = [];
    while (!lx.atEnd()) {
      lx.expectSp();
      args.push(lx.readToken());
      lx.checkSeparator(false);
      if (lx.peek() === 0x29) throw new WireError('Unbalanced ")"');
    }
    return { tag, name, args };
  } catch (e) {
    if (e instanceof WireError) throw new CommandSyntaxError(e.message, tag, name);
    throw e;
  }
}

/** Tokenizes a whole text with no literals (tests, response parsing of simple lines). */
export function tokenizeText(text: string | Buffer, maxDepth = 32): Token[] {
  const lx = new Lexer([{ text: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), literal: null }], maxDepth);
  const out: Token[] = [];
  while (!lx.atEnd()) {
    if (out.length) lx.expectSp();
    out.push(lx.readToken());
    lx.checkSeparator(false);
    if (lx.peek() === 0x29) throw new WireError('Unbalanced ")"');
  }
  return out;
}
