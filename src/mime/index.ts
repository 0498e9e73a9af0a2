/**
 * indexMessage: parse a raw message once into the MIME part tree with byte offsets
 * (see ./types.ts), the ENVELOPE of the message and of every encapsulated message,
 * and a list of problems. Runs on every delivery, so it scans Buffers and never
 * converts the whole message to a string. It never throws.
 *
 * Grammar followed: RFC 5322 (header), RFC 2045 §5/§6 (Content-Type defaults,
 * Content-Transfer-Encoding), RFC 2046 §5.1 (multipart, boundaries, preamble/epilogue,
 * §5.1.5 digest default type), §5.2.1 (message/rfc822), RFC 6532 §3.7 (message/global),
 * RFC 2183 (Content-Disposition), RFC 2231 (parameter continuations), RFC 3282 (Content-Language).
 */
import { isAscii } from 'node:buffer';
import { beforeEol, findBoundary, matchBoundary, type BoundaryHit } from './boundary.js';
import { buildEnvelope } from './envelope.js';
import { applyContentHeaders, emptyPart, PART_FIELDS, ROOT_FIELDS } from './content.js';
import { isFieldLine, parseHeaderBlock } from './header.js';
import { getParam } from './params.js';
import { LineCounter } from './lines.js';
import type { MimeIndex, MimePart } from './types.js';

export type { MimeIndex, MimePart, Envelope, EnvelopeAddress, MimeParams } from './types.js';

export interface IndexOptions {
  /** nesting limit for multipart/message parts (default 32); deeper parts become opaque leaves */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 32;
/** parts per message; further parts of a multipart are skipped (kept in its body bytes) */
export const MAX_PARTS = 10_000;
/** problems recorded per message (the index is stored with every message) */
const MAX_PROBLEMS = 50;
/** hard cap so that a caller-supplied depth cannot exhaust the JS stack */
const MAX_DEPTH_CAP = 1000;
const LF = 10;
const CR = 13;

interface Ctx {
  raw: Buffer;
  /** parts created so far (MAX_PARTS) */
  parts: number;
  maxDepth: number;
  problems: string[];
  /** LF counts per range (bodyLines), in bounded memory */
  lines: LineCounter;
}

interface Parsed {
  part: MimePart;
  /** the delimiter line that ended this entity (relative to the bounds passed in), null at end of data */
  hit: BoundaryHit | null;
}

function label(path: string): string {
  return path ? `part ${path}` : 'message';
}

/**
 * number of lines in raw[a, b) for body-fld-lines: the LFs inside. A last line without a
 * line break is not counted (as Dovecot and UW-IMAP count; imaptest compares with them).
 */
function countLines(ctx: Ctx, a: number, b: number): number {
  return ctx.lines.count(a, b);
}

/**
 * Parse one entity (header + body) starting at `start`, ending at the first
 * delimiter line of `bounds` (innermost first) or at the end of the data.
 * `messageRoot`: top-level or encapsulated message (always has a header).
 */
function parseEntity(ctx: Ctx, start: number, bounds: Buffer[], depth: number, digestChild: boolean, path: string, messageRoot: boolean): Parsed {
  const raw = ctx.raw;
  const part = emptyPart(start);

  // --- header: up to the blank line, a delimiter line, or the end of data
  let headerEnd = -1; // end of the header fields (before the blank line)
  let bodyStart = -1;
  let hit: BoundaryHit | null = null;
  if (!messageRoot && start < raw.length && raw[start] !== LF && raw[start] !== CR && raw[start] !== 32 && raw[start] !== 9 && !isFieldLine(raw, start, raw.length) && !matchBoundary(raw, start, bounds)) {
    // body part without a header and without the blank line (RFC 2046 §5.1.1 wants one)
    ctx.problems.push(`${label(path)}: no header (blank line missing), treating as body`);
    headerEnd = start;
    bodyStart = start;
  } else {
    let pos = start;
    while (pos < raw.length) {
      if (bounds.length && raw[pos] === 45) {
        hit = matchBoundary(raw, pos, bounds);
        if (hit) {
          headerEnd = beforeEol(raw, pos, start);
          bodyStart = headerEnd;
          ctx.problems.push(`${label(path)}: header cut short by a boundary`);
          break;
        }
      }
      const nl = raw.indexOf(LF, pos);
      const next = nl < 0 ? raw.length : nl + 1;
      const contentEnd = nl < 0 ? raw.length : nl > pos && raw[nl - 1] === CR ? nl - 1 : nl;
      if (contentEnd === pos && nl >= 0) {
        headerEnd = pos;
        bodyStart = next;
        break;
      }
      pos = next;
    }
    if (bodyStart < 0) {
      headerEnd = raw.length;
      bodyStart = raw.length;
      if (raw.length > start) ctx.problems.push(`${label(path)}: header not terminated by a blank line (truncated?)`);
    }
  }
  part.bodyStart = bodyStart;
  const fields = parseHeaderBlock(raw, start, headerEnd, undefined, messageRoot ? ROOT_FIELDS : PART_FIELDS);
  applyContentHeaders(part, fields, digestChild, (text) => ctx.problems.push(`${label(path)}: ${text}`));
  if (messageRoot) part.envelope = buildEnvelope(fields);

  if (hit) {
    // the header ran into a delimiter: empty body
    part.bodyEnd = bodyStart;
    return { part, hit };
  }

  const composite = part.type === 'multipart' || (part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global'));
  if (composite && depth >= ctx.maxDepth) {
    ctx.problems.push(`${label(path)}: nesting deeper than ${ctx.maxDepth}, treated as opaque`);
    const leaf = parseLeafBody(ctx, part, bounds);
    if (part.type === 'multipart') part.parts = [emptyPart(part.bodyEnd)];
    return leaf;
  }
  if (part.type === 'multipart') return parseMultipart(ctx, part, bounds, depth, path);
  if (composite) {
    const enc = part.encoding;
    if (enc === '7BIT' || enc === '8BIT' || enc === 'BINARY') {
      // RFC 2046 §5.2.1: the body is a complete message; its parts are numbered under this one
      const inner = parseEntity(ctx, bodyStart, bounds, depth + 1, false, path, true);
      part.message = inner.part;
      part.bodyEnd = inner.part.bodyEnd;
      part.bodyLines = countLines(ctx, part.bodyStart, part.bodyEnd);
      return { part, hit: inner.hit };
    }
    ctx.problems.push(`${label(path)}: message/${part.subtype} with ${enc} encoding, not parsed as a message`);
  }
  return parseLeafBody(ctx, part, bounds);
}

function parseLeafBody(ctx: Ctx, part: MimePart, bounds: Buffer[]): Parsed {
  const hit = findBoundary(ctx.raw, part.bodyStart, bounds);
  part.bodyEnd = hit ? beforeEol(ctx.raw, hit.lineStart, part.bodyStart) : ctx.raw.length;
  part.bodyLines = countLines(ctx, part.bodyStart, part.bodyEnd);
  return { part, hit };
}

/** RFC 2046 §5.1.1 multipart body: preamble, parts between delimiters, close-delimiter, epilogue. */
function parseMultipart(ctx: Ctx, part: MimePart, bounds: Buffer[], depth: number, path: string): Parsed {
  const raw = ctx.raw;
  const boundary = getParam(part.params, 'boundary');
  if (!boundary) {
    ctx.problems.push(`${label(path)}: multipart without boundary parameter, treated as opaque`);
    const r = parseLeafBody(ctx, part, bounds);
    part.parts = [emptyPart(part.bodyEnd)];
    return r;
  }
  const own = Buffer.from(boundary, 'utf8');
  const inner = [own, ...bounds];
  const digest = part.subtype === 'digest';
  const children: MimePart[] = [];
  const up = (h: BoundaryHit | null): BoundaryHit | null => (h ? { ...h, which: h.which - 1 } : null);
  let result: BoundaryHit | null = null;
  let h = findBoundary(raw, part.bodyStart, inner);
  for (;;) {
    if (!h) {
      ctx.problems.push(
        children.length
          ? `${label(path)}: missing close-delimiter (message truncated?)`
          : `${label(path)}: boundary "${boundary.slice(0, 70)}" never found`,
      );
      part.bodyEnd = raw.length;
      break;
    }
    if (h.which !== 0) {
      ctx.problems.push(`${label(path)}: missing close-delimiter before an outer boundary`);
      // the line ending before the outer delimiter may already be the last part's blank header line
      const last = children.length ? children[children.length - 1]!.bodyEnd : part.bodyStart;
      part.bodyEnd = Math.max(beforeEol(raw, h.lineStart, part.bodyStart), last);
      result = up(h);
      break;
    }
    if (h.close) {
      // epilogue runs to the next outer delimiter or the end of data
      const e = findBoundary(raw, h.lineEnd, bounds);
      part.bodyEnd = e ? beforeEol(raw, e.lineStart, part.bodyStart) : raw.length;
      result = e;
      break;
    }
    if (ctx.parts >= MAX_PARTS) {
      // too many parts: skip to this multipart's close-delimiter or an outer delimiter
      if (ctx.parts === MAX_PARTS) ctx.problems.push(`${label(path)}: more than ${MAX_PARTS} parts in the message, the rest is not indexed`);
      ctx.parts++;
      let k: BoundaryHit | null = h;
      while (k && k.which === 0 && !k.close) k = findBoundary(raw, k.lineEnd, inner);
      h = k;
      continue;
    }
    ctx.parts++;
    const childPath = path ? `${path}.${children.length + 1}` : `${children.length + 1}`;
    const child = parseEntity(ctx, h.lineEnd, inner, depth + 1, digest, childPath, false);
    children.push(child.part);
    h = child.hit;
  }
  part.parts = children.length ? children : [emptyPart(part.bodyEnd)];
  part.bodyLines = countLines(ctx, part.bodyStart, part.bodyEnd);
  return { part, hit: result };
}

/** Parse `raw` into its MIME index. Never throws; problems are listed in the result. */
export function indexMessage(raw: Buffer, opts?: IndexOptions): MimeIndex {
  const problems: string[] = [];
  let bareLf = 0;
  let has8bit = false;
  try {
    if (!Buffer.isBuffer(raw)) raw = Buffer.from(raw ?? []);
    has8bit = !isAscii(raw);
    const lines = new LineCounter(raw);
    bareLf = lines.bareLf;
    let maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (!Number.isFinite(maxDepth) || maxDepth < 0) maxDepth = DEFAULT_MAX_DEPTH;
    maxDepth = Math.min(Math.floor(maxDepth), MAX_DEPTH_CAP);
    const ctx: Ctx = { raw, parts: 0, maxDepth, problems, lines };
    const { part } = parseEntity(ctx, 0, [], 0, false, '', true);
    if (problems.length > MAX_PROBLEMS) problems.splice(MAX_PROBLEMS, problems.length, `… ${problems.length - MAX_PROBLEMS} more problems`);
    return { version: 1, root: part, bareLf, has8bit, problems };
  } catch (err) {
    // last resort: the whole message as one text/plain body
    problems.push(`index failed (${(err as Error)?.message ?? String(err)}); message treated as plain text`);
    const len = Buffer.isBuffer(raw) ? raw.length : 0;
    const root = emptyPart(0);
    root.bodyEnd = len;
    root.envelope = { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null };
    return { version: 1, root, bareLf, has8bit, problems };
  }
}
