/**
 * IMAP section extraction (RFC 9051 §6.4.5 FETCH BODY[<section>] and BINARY[<section-binary>],
 * RFC 3516) as pure functions over the raw message and its MimeIndex: no re-parsing of the
 * structure, only of a header block when HEADER.FIELDS is asked for.
 *
 * Part numbering (RFC 9051 §6.4.5): a multipart's parts are numbered 1..n; a non-multipart
 * message has only part 1, which is its body; the sub-parts of a message/rfc822 (or
 * message/global) part are the parts of the encapsulated message; HEADER, HEADER.FIELDS,
 * HEADER.FIELDS.NOT and TEXT after a part number need a message/rfc822 part and refer to
 * the encapsulated message; MIME refers to the part's own MIME header.
 */
import { fieldRanges } from './header.js';
import { decodeTransfer } from './transfer.js';
import type { MimeIndex, MimePart } from './types.js';

export { decodeTransfer } from './transfer.js';

export type SectionSpecifier = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  /** part numbers, [] for the whole message */
  path: number[];
  /** section-msgtext / MIME, absent for the part body (or the whole message when path is []) */
  specifier?: SectionSpecifier;
  /** header field names for HEADER.FIELDS / HEADER.FIELDS.NOT (case-insensitive) */
  fields?: string[];
}

/** The parts numbered directly below `entity`; `isMessage` when entity is a (top-level or encapsulated) message. */
function children(entity: MimePart, isMessage: boolean): MimePart[] | null {
  if (entity.parts) return entity.parts;
  if (isMessage) return [entity];
  if (entity.message) return children(entity.message, true);
  return null;
}

/** Resolve a part path; [] is the message itself. null when the part does not exist. */
export function resolvePart(index: MimeIndex, path: number[]): MimePart | null {
  let cur = index.root;
  let isMessage = true;
  for (const n of path) {
    if (!Number.isInteger(n) || n < 1) return null;
    const list = children(cur, isMessage);
    if (!list || n > list.length) return null;
    const next = list[n - 1]!;
    isMessage = false;
    cur = next;
  }
  return cur;
}

/**
 * The message whose HEADER/TEXT a path refers to: the top-level message for [],
 * otherwise the encapsulated message of a message/rfc822 part (null if not one).
 */
export function resolveMessage(index: MimeIndex, path: number[]): MimePart | null {
  if (path.length === 0) return index.root;
  const part = resolvePart(index, path);
  return part?.message ?? null;
}

const CRLF = Buffer.from('\r\n');
/** headerFields' names, lower-cased, by the list they came from (lists are not changed after parsing) */
const lowerNames = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Header fields of `msg` selected by name (RFC 9051 §6.4.5 HEADER.FIELDS[.NOT]); ends with a blank line. */
export function headerFields(raw: Buffer, msg: MimePart, names: readonly string[], not: boolean): Buffer {
  const chunks: Buffer[] = [];
  // a FETCH asks for the same names for every message: lower-cased once per list
  let wanted = lowerNames.get(names);
  if (!wanted) lowerNames.set(names, (wanted = new Set(names.map((n) => n.toLowerCase()))));
  for (const [start, end] of fieldRanges(raw, msg.headerStart, msg.bodyStart, wanted, not)) {
    const bytes = raw.subarray(start, end);
    chunks.push(bytes);
    if (bytes[bytes.length - 1] !== 10) chunks.push(CRLF);
  }
  chunks.push(CRLF);
  return Buffer.concat(chunks);
}

/** Bytes for BODY[<section>]; null when the section does not exist (IMAP then returns NIL / ""). */
export function sectionBytes(raw: Buffer, index: MimeIndex, section: Section): Buffer | null {
  const { path, specifier } = section;
  switch (specifier) {
    case undefined: {
      if (path.length === 0) return raw;
      const part = resolvePart(index, path);
      return part ? raw.subarray(part.bodyStart, part.bodyEnd) : null;
    }
    case 'MIME': {
      if (path.length === 0) return null;
      const part = resolvePart(index, path);
      return part ? raw.subarray(part.headerStart, part.bodyStart) : null;
    }
    case 'HEADER': {
      const msg = resolveMessage(index, path);
      return msg ? raw.subarray(msg.headerStart, msg.bodyStart) : null;
    }
    case 'TEXT': {
      const msg = resolveMessage(index, path);
      return msg ? raw.subarray(msg.bodyStart, msg.bodyEnd) : null;
    }
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT': {
      const msg = resolveMessage(index, path);
      return msg ? headerFields(raw, msg, section.fields ?? [], specifier === 'HEADER.FIELDS.NOT') : null;
    }
    default:
      return null;
  }
}

export type BinaryResult = { bytes: Buffer } | { error: 'NONEXISTENT' | 'UNKNOWN-CTE' };

/**
 * BINARY[<path>] (RFC 3516 §4.2 / RFC 9051 §6.4.5): the part body with its transfer
 * encoding removed. [] is the whole message, unchanged. A multipart or message part
 * is returned as is (its own encoding is 7bit/8bit/binary by definition).
 */
export function binaryBytes(raw: Buffer, index: MimeIndex, path: number[]): BinaryResult {
  if (path.length === 0) return { bytes: raw };
  const part = resolvePart(index, path);
  if (!part) return { error: 'NONEXISTENT' };
  const body = raw.subarray(part.bodyStart, part.bodyEnd);
  if (part.parts || part.message) return { bytes: body };
  const decoded = decodeTransfer(body, part.encoding);
  return decoded ? { bytes: decoded } : { error: 'UNKNOWN-CTE' };
}
