/**
 * Header block parsing over raw bytes (RFC 5322 §2.2, §3.2.2 unfolding).
 * Works on CRLF, bare LF and mixed line endings; 8-bit bytes are kept
 * (values decode as UTF-8 when valid, else latin1). Never throws.
 */
import { decodeHeaderBytes } from './charset.js';

export interface HeaderField {
  /** field name as written */
  name: string;
  /** lower-cased field name */
  key: string;
  /** unfolded value (CRLF/LF before folding whitespace removed), trimmed, decoded bytes (not RFC 2047) */
  value: string;
  /** byte offsets of the whole field (name through the line ending of its last line) in the buffer given */
  start: number;
  end: number;
}

const LF = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const COLON = 58;

/** Field name check (RFC 5322 §3.6.8 ftext, obs-optional allows WSP before the colon). */
function fieldNameEnd(buf: Buffer, start: number, lineEnd: number): number {
  let i = start;
  while (i < lineEnd && buf[i] !== COLON) {
    const c = buf[i]!;
    if (c <= SP || c > 126) {
      // allow trailing WSP before the colon only
      let j = i;
      while (j < lineEnd && (buf[j] === SP || buf[j] === TAB)) j++;
      if (j < lineEnd && buf[j] === COLON && j > start) return i;
      return -1;
    }
    i++;
  }
  return i < lineEnd && i > start ? i : -1;
}

/** True when the line starting at `pos` looks like the start of a header field. */
export function isFieldLine(buf: Buffer, pos: number, end: number): boolean {
  let lineEnd = buf.indexOf(LF, pos);
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  return fieldNameEnd(buf, pos, lineEnd) >= 0;
}

/**
 * Parse the header block buf[start, end) into fields. Lines that are neither a
 * field nor a continuation are skipped (reported through `bad` when given).
 * With `want` (lower-cased names), only those fields are returned (saves decoding the rest).
 */
export function parseHeaderBlock(buf: Buffer, start = 0, end = buf.length, bad?: (offset: number) => void, want?: ReadonlySet<string>): HeaderField[] {
  const fields: HeaderField[] = [];
  eachField(buf, start, end, bad, (from, nameEnd, colon, to) => {
    const name = buf.toString('latin1', from, nameEnd).trim();
    const key = name.toLowerCase();
    if (!want || want.has(key)) fields.push({ name, key, value: unfoldValue(buf, colon + 1, to), start: from, end: to });
  });
  return fields;
}

/**
 * The byte ranges [start, end) of the fields of the header block buf[start, end) named in
 * `names` (lower-cased), or with `not` of those not named: what BODY[HEADER.FIELDS (...)]
 * copies. The fields parseHeaderBlock finds, without decoding values, and without making
 * a string of a name whose length no wanted name has.
 */
export function fieldRanges(buf: Buffer, start: number, end: number, names: ReadonlySet<string>, not: boolean): Array<[number, number]> {
  let lengths = nameLengths.get(names);
  if (!lengths) {
    const made = new Set<number>();
    for (const n of names) made.add(n.length);
    nameLengths.set(names, (lengths = made));
  }
  const out: Array<[number, number]> = [];
  eachField(buf, start, end, undefined, (from, nameEnd, _colon, to) => {
    // a field name is printable ASCII without spaces (fieldNameEnd): its length in bytes is its length
    const named = lengths.has(nameEnd - from) && names.has(buf.toString('latin1', from, nameEnd).toLowerCase());
    if (named !== not) out.push([from, to]);
  });
  return out;
}

/** fieldRanges' name lengths by name set (a FETCH passes the same set for every message; sets are not changed after use) */
const nameLengths = new WeakMap<ReadonlySet<string>, ReadonlySet<number>>();

/** the one walk over a header block: each field's start, name end, colon and end (after its last line ending) */
function eachField(
  buf: Buffer,
  start: number,
  end: number,
  bad: ((offset: number) => void) | undefined,
  field: (start: number, nameEnd: number, colon: number, end: number) => void,
): void {
  let nameEnd = -1;
  let colon = -1;
  let from = -1;
  let to = -1;
  const flush = (): void => {
    if (from < 0) return;
    field(from, nameEnd, colon, to);
    from = -1;
  };
  let pos = start;
  while (pos < end) {
    const nl = buf.indexOf(LF, pos);
    const next = nl < 0 || nl >= end ? end : nl + 1;
    let contentEnd = nl < 0 || nl >= end ? end : nl;
    if (contentEnd > pos && buf[contentEnd - 1] === CR) contentEnd--;
    if (contentEnd === pos) {
      // blank line: end of header block
      break;
    }
    const c = buf[pos];
    if ((c === SP || c === TAB) && from >= 0) {
      to = next;
    } else {
      flush();
      const ne = fieldNameEnd(buf, pos, contentEnd);
      if (ne < 0) {
        bad?.(pos);
      } else {
        nameEnd = ne;
        colon = buf.indexOf(COLON, ne);
        from = pos;
        to = next;
      }
    }
    pos = next;
  }
  flush();
}

/** Unfold buf[from, to): drop CR/LF, keep the folding whitespace, trim; decode bytes. */
export function unfoldValue(buf: Buffer, from: number, to: number): string {
  const slice = buf.subarray(from, to);
  let s = decodeHeaderBytes(slice);
  if (s.includes('\n') || s.includes('\r')) s = s.replace(/\r?\n/g, '').replace(/\r/g, '');
  return s.trim();
}

/** Convenience: parse a standalone header buffer (e.g. an SMTP DATA prefix). */
export function parseHeaders(buf: Buffer): HeaderField[] {
  return parseHeaderBlock(buf, 0, buf.length);
}

/** First value of field `name` (case-insensitive) or null. */
export function findHeader(fields: HeaderField[], name: string): string | null {
  const key = name.toLowerCase();
  for (const f of fields) if (f.key === key) return f.value;
  return null;
}
