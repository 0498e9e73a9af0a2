/**
 * Sieve lexical analysis (RFC 5228 §2.2 – §2.4, §8.1): identifiers, tags, numbers with
 * K/M/G quantifiers, quoted strings, multi-line "text:" strings (dot-stuffed), bracket and
 * hash comments. Line breaks may be CRLF or bare LF. Every token carries its 1-based line
 * and column; malformed input raises SieveError at the position where it went wrong.
 */
import { SieveError, type SourcePos } from './core/errors.js';

export type Token =
  | { type: 'identifier'; value: string; pos: SourcePos }
  | { type: 'tag'; value: string; pos: SourcePos }
  | { type: 'number'; value: number; pos: SourcePos }
  | { type: 'string'; value: string; multiline: boolean; pos: SourcePos }
  | { type: 'punct'; value: '[' | ']' | '(' | ')' | '{' | '}' | ',' | ';'; pos: SourcePos }
  | { type: 'eof'; pos: SourcePos };

/** largest number a script may write (RFC 5228 §2.4.1 asks for at least 2^31 - 1) */
export const MAX_NUMBER = 2 ** 53 - 1;

const QUANTIFIER: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string) => c >= '0' && c <= '9';

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at = i): SourcePos => ({ line, column: at - lineStart + 1 });
  const fail = (message: string, at = i): never => {
    throw new SieveError(message, line, at - lineStart + 1);
  };
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };

  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      newline(i);
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const start = pos();
      i += 2;
      for (;;) {
        if (i >= src.length) throw new SieveError('unterminated /* comment', start.line, start.column);
        if (src[i] === '*' && src[i + 1] === '/') {
          i += 2;
          break;
        }
        if (src[i] === '\n') newline(i);
        i++;
      }
      continue;
    }
    if ('[](){},;'.includes(c)) {
      out.push({ type: 'punct', value: c as '[', pos: pos() });
      i++;
      continue;
    }
    if (c === ':') {
      const start = pos();
      let j = i + 1;
      if (!isAlpha(src[j] ?? '')) fail('a tag needs a name after ":"', j);
      while (j < src.length && (isAlpha(src[j]!) || isDigit(src[j]!))) j++;
      out.push({ type: 'tag', value: src.slice(i + 1, j).toLowerCase(), pos: start });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      const start = pos();
      let j = i;
      while (j < src.length && isDigit(src[j]!)) j++;
      let n = Number(src.slice(i, j));
      const q = QUANTIFIER[(src[j] ?? '').toLowerCase()];
      if (q) {
        n *= q;
        j++;
      }
      if (isAlpha(src[j] ?? '')) fail(`unexpected "${src[j]}" after a number (quantifiers are K, M and G)`, j);
      if (!Number.isSafeInteger(n) || n > MAX_NUMBER) fail('number too large', i);
      out.push({ type: 'number', value: n, pos: start });
      i = j;
      continue;
    }
    if (c === '"') {
      const start = pos();
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length) throw new SieveError('unterminated string (missing closing ")', start.line, start.column);
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          // RFC 5228 §2.4.2: \\ and \" are escapes; any other backslash is dropped
          const e = src[j + 1];
          if (e === undefined) throw new SieveError('unterminated string (missing closing ")', start.line, start.column);
          if (e === '\n') newline(j + 1);
          value += e;
          j += 2;
          continue;
        }
        if (d === '\n') {
          newline(j);
          // a line break inside a quoted string is CRLF in the value (RFC 5228 §2.4.2)
          value += value.endsWith('\r') ? '\n' : '\r\n';
          j++;
          continue;
        }
        if (d === '\r' && src[j + 1] === '\n') {
          value += '\r';
          j++;
          continue;
        }
        value += d;
        j++;
      }
      out.push({ type: 'string', value, multiline: false, pos: start });
      i = j + 1;
      continue;
    }
    if (isAlpha(c)) {
      const start = pos();
      let j = i;
      while (j < src.length && (isAlpha(src[j]!) || isDigit(src[j]!))) j++;
      const word = src.slice(i, j);
      if (word.toLowerCase() === 'text' && src[j] === ':') {
        i = multiline(j + 1, start);
        continue;
      }
      out.push({ type: 'identifier', value: word.toLowerCase(), pos: start });
      i = j;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ type: 'eof', pos: pos() });
  return out;

  /** RFC 5228 §2.4.2 multi-line: "text:" *(SP / HTAB) (hash-comment / CRLF) lines "." CRLF */
  function multiline(j: number, start: SourcePos): number {
    while (src[j] === ' ' || src[j] === '\t') j++;
    if (src[j] === '#') while (j < src.length && src[j] !== '\n') j++;
    if (src[j] === '\r') j++;
    if (src[j] !== '\n') fail('"text:" must be followed by the end of the line', j);
    newline(j);
    j++;
    const lines: string[] = [];
    for (;;) {
      if (j >= src.length) throw new SieveError('unterminated text: block (a line with a single "." ends it)', start.line, start.column);
      let end = src.indexOf('\n', j);
      const last = end < 0;
      if (last) end = src.length;
      let text = src.slice(j, end);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (!last) newline(end);
      j = end + 1;
      if (text === '.') break;
      if (last) throw new SieveError('unterminated text: block (a line with a single "." ends it)', start.line, start.column);
      lines.push(text.startsWith('.') ? text.slice(1) : text);
    }
    out.push({ type: 'string', value: lines.map((l) => l + '\r\n').join(''), multiline: true, pos: start });
    return j;
  }
}
