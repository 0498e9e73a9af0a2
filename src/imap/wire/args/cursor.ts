/**
 * ArgCursor: walks a command's argument tokens for the typed parsers (phase two of
 * parsing). Every failure throws WireError('...') whose message is suitable for `BAD`.
 */
import { bad } from '../errors.js';
import { describeToken, type ListToken, type Token } from '../tokens.js';

export class ArgCursor {
  private i = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly what = 'command',
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  next(expected: string): Token {
    const t = this.tokens[this.i];
    if (!t) bad(`Missing ${expected}`);
    this.i++;
    return t;
  }

  /** An atom (any case); returns its value. */
  atom(expected: string): string {
    const t = this.next(expected);
    if (t.type !== 'atom') bad(`Expected ${expected}, got ${describeToken(t)}`);
    return t.value;
  }

  /** The next token if it is an atom equal to word (case-insensitive); consumes it. */
  acceptWord(word: string): boolean {
    const t = this.peek();
    if (t && t.type === 'atom' && t.value.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  /** astring (RFC 9051 §9): atom, quoted or literal. */
  astring(expected: string): string {
    const t = this.next(expected);
    if (t.type === 'atom' || t.type === 'quoted') return t.value;
    if (t.type === 'literal') return t.value.toString('utf8');
    bad(`Expected ${expected}, got ${describeToken(t)}`);
  }

  /** string (RFC 9051 §9): quoted or literal (atoms accepted too, leniently). */
  string(expected: string): string {
    return this.astring(expected);
  }

  /** number (RFC 9051 §9): 0..4294967295 */
  number(expected: string): number {
    return parseNumber(this.atom(expected), expected);
  }

  /** nz-number */
  nzNumber(expected: string): number {
    const n = this.number(expected);
    if (n === 0) bad(`${expected} must not be 0`);
    return n;
  }

  /** number64 / mod-sequence-value (RFC 9051 §9, RFC 7162 §7). */
  number64(expected: string): number {
    return parseNumber64(this.atom(expected), expected);
  }

  list(expected: string): ListToken {
    const t = this.next(expected);
    if (t.type !== 'list') bad(`Expected ${expected} in parentheses, got ${describeToken(t)}`);
    return t;
  }

  end(): void {
    if (!this.done) bad(`Unexpected extra argument ${describeToken(this.peek())} in ${this.what}`);
  }
}

/** number = 1*DIGIT, < 2^32 (RFC 9051 §9) */
export function parseNumber(s: string, what = 'number'): number {
  if (!/^\d{1,10}$/.test(s)) bad(`Expected ${what} as a number, got "${s.slice(0, 40)}"`);
  const n = Number(s);
  if (n > 0xffffffff) bad(`${what} is out of range`);
  return n;
}

/**
 * number64 (RFC 9051 §9) / mod-sequence-value (RFC 7162 §7): 0..2^63-1. Values above 2^53
 * lose precision as JS numbers; that is harmless here because this server's own MODSEQs
 * never get that large, so such a value still compares as "newer than everything".
 */
export function parseNumber64(s: string, what = 'number'): number {
  if (!/^\d{1,19}$/.test(s) || BigInt(s) > 9223372036854775807n) bad(`Expected ${what} as a number, got "${s.slice(0, 40)}"`);
  return Number(s);
}
