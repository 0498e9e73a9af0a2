/**
 * Tokens produced by the command tokenizer (lexer.ts) from one complete command.
 *
 * The tokenizer is generic (RFC 9051 §9 lexical level); typed meaning comes from the
 * argument parsers in args/. Atoms are kept as text: numbers, NIL, flags (`\Seen`),
 * sequence sets (`1:*,$`), list wildcards (`%`, `*`) are all atoms here.
 */

/** Any run of atom/ASTRING chars (RFC 9051 §9 atom, ASTRING-CHAR, list-char, sequence-set chars, flag). */
export interface AtomToken {
  type: 'atom';
  value: string;
}

/** A quoted string (RFC 9051 §4.3), unescaped and decoded as UTF-8. */
export interface QuotedToken {
  type: 'quoted';
  value: string;
}

/** A literal `{n}` / `{n+}` (RFC 9051 §4.3, RFC 7888) or literal8 `~{n}` (RFC 3516 / RFC 9051 §9). */
export interface LiteralToken {
  type: 'literal';
  value: Buffer;
  /** true for `~{n}` (literal8: may contain NUL) */
  binary: boolean;
}

/** A parenthesized list (RFC 9051 §4.4). */
export interface ListToken {
  type: 'list';
  items: Token[];
}

/**
 * A fetch-att with a section, tokenized as one unit (RFC 9051 §6.4.5, §9 fetch-att):
 * `BODY[...]`, `BODY.PEEK[...]`, `BINARY[...]`, `BINARY.PEEK[...]`, `BINARY.SIZE[...]`,
 * each optionally followed by `<origin.length>` (or `<origin>`).
 * `section` holds the tokens between the brackets, e.g. for `BODY[1.HEADER.FIELDS (FROM TO)]`
 * → [atom "1.HEADER.FIELDS", list [atom FROM, atom TO]].
 */
export interface SectionToken {
  type: 'section';
  /** upper-cased: BODY, BODY.PEEK, BINARY, BINARY.PEEK, BINARY.SIZE */
  name: string;
  section: Token[];
  partial: { offset: number; length: number | null } | null;
}

export type Token = AtomToken | QuotedToken | LiteralToken | ListToken | SectionToken;

/** Names that start a section token when directly followed by "[". */
export const SECTION_NAMES: ReadonlySet<string> = new Set(['BODY', 'BODY.PEEK', 'BINARY', 'BINARY.PEEK', 'BINARY.SIZE']);

/** A short human description of a token for error messages (never includes literal contents). */
export function describeToken(t: Token | undefined): string {
  if (!t) return 'end of command';
  switch (t.type) {
    case 'atom':
      return `"${t.value.length > 40 ? t.value.slice(0, 40) + '…' : t.value}"`;
    case 'quoted':
      return 'a quoted string';
    case 'literal':
      return `a literal of ${t.value.length} bytes`;
    case 'list':
      return 'a parenthesized list';
    case 'section':
      return `${t.name}[...]`;
  }
}

/** True for an atom equal (case-insensitively) to `word`. */
export function isAtom(t: Token | undefined, word?: string): t is AtomToken {
  return !!t && t.type === 'atom' && (word === undefined || t.value.toUpperCase() === word.toUpperCase());
}

/** The string value of an atom, quoted string or literal (RFC 9051 astring); undefined otherwise. */
export function tokenText(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.type === 'atom' || t.type === 'quoted') return t.value;
  if (t.type === 'literal') return t.value.toString('utf8');
  return undefined;
}
