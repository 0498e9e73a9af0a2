/**
 * Phase two of the parse: typed arguments read from tokens (RFC 9051 §9 grammar names in
 * the method comments). Errors are BAD with a text that says what was expected.
 */
import type { Token } from '../wire/tokens.js';
import { bad } from './types.js';
import { decodeMutf7 } from '../wire/mutf7.js';
import { isSequenceSetToken, parseSequenceSet } from '../wire/args/seqset.js';

/** sequence-set (RFC 9051 §9): ranges with Infinity for "*", or "$" (RFC 5182 SEARCHRES) */
export type SeqSet = { saved: true } | { saved: false; ranges: Array<[number, number]> };

export function parseSeqSet(text: string): SeqSet {
  const set = parseSequenceSet(text);
  if (set.saved) return set;
  return {
    saved: false,
    ranges: set.ranges.map(([a, b]) => {
      const x = a === '*' ? Infinity : a;
      const y = b === '*' ? Infinity : b;
      return x <= y ? [x, y] : [y, x];
    }),
  };
}

export function isSeqSet(text: string): boolean {
  return isSequenceSetToken({ type: 'atom', value: text });
}

export class Args {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    /** names arrive in UTF-8 (IMAP4rev2 / UTF8=ACCEPT) instead of modified UTF-7 */
    private readonly utf8Names = false,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }
  get remaining(): number {
    return this.tokens.length - this.i;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw bad(`Missing argument: ${what}`);
    return t;
  }
  end(): void {
    if (!this.done) throw bad('Too many arguments');
  }

  /** atom (returned as sent) */
  atom(what: string): string {
    const t = this.next(what);
    if (t.type !== 'atom') throw bad(`Expected ${what}`);
    return t.value;
  }
  peekAtom(): string | null {
    const t = this.peek();
    return t?.type === 'atom' ? t.value : null;
  }
  /** astring: atom or string, as UTF-8 text */
  astring(what: string): string {
    const t = this.next(what);
    if (t.type === 'atom') return t.value;
    if (t.type === 'quoted') return t.value;
    if (t.type === 'literal') return t.value.toString('utf8');
    throw bad(`Expected ${what}`);
  }
  /** string (quoted or literal) as bytes */
  bytes(what: string): Buffer {
    const t = this.next(what);
    if (t.type === 'literal') return t.value;
    if (t.type === 'quoted') return Buffer.from(t.value, 'utf8');
    throw bad(`Expected ${what} as a string or literal`);
  }
  number(what: string): number {
    const v = this.atom(what);
    if (!/^\d{1,20}$/.test(v)) throw bad(`Expected a number for ${what}`);
    return Number(v);
  }
  list(what: string): Token[] {
    const t = this.next(what);
    if (t.type !== 'list') throw bad(`Expected a parenthesised list for ${what}`);
    return t.items;
  }
  seqSet(what = 'sequence set'): SeqSet {
    return parseSeqSet(this.atom(what));
  }
  /** mailbox (RFC 9051 §9): astring, "INBOX" case-insensitive, mUTF-7 decoded for rev1 clients */
  mailbox(what = 'mailbox name'): string {
    const raw = this.astring(what);
    return normaliseMailboxName(this.utf8Names ? raw : decodeMutf7(raw));
  }
}

export function normaliseMailboxName(name: string): string {
  if (/^inbox$/i.test(name)) return 'INBOX';
  if (/^inbox\//i.test(name)) return 'INBOX' + name.slice(5);
  return name;
}

/** flag-list items (RFC 9051 §9 "flag"); \Recent cannot be stored */
export function flagList(tokens: Token[]): string[] {
  return tokens.map((t) => {
    if (t.type !== 'atom') throw bad('Flags must be atoms');
    if (!/^\\?[^\s(){%*"\\\]]+$/.test(t.value)) throw bad(`Invalid flag "${t.value}"`);
    return canonicalFlag(t.value);
  });
}

const SYSTEM = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent'];

export function canonicalFlag(f: string): string {
  if (f.startsWith('\\')) {
    const s = SYSTEM.find((x) => x.toLowerCase() === f.toLowerCase());
    if (s) return s;
  }
  return f;
}

export { parseDateTime, parseSearchDate as parseDate, formatDateTime } from '../wire/date.js';
