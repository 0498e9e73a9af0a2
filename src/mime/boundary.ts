/**
 * Boundary delimiter search (RFC 2046 §5.1.1). A delimiter line is
 * "--" boundary [ "--" ] *LWSP-char followed by CRLF, LF or the end of the data,
 * at the start of a line. The line ending before it belongs to the delimiter.
 * `bounds` lists the active boundaries innermost first, so an inner multipart
 * whose close-delimiter is missing ends at an outer delimiter.
 */

export interface BoundaryHit {
  /** offset of the first '-' of the delimiter line */
  lineStart: number;
  /** offset just after the delimiter line's line ending (or the data end) */
  lineEnd: number;
  /** index into the `bounds` array that matched */
  which: number;
  /** "--boundary--" close-delimiter */
  close: boolean;
}

const LF = 10;
const CR = 13;
const DASH = 45;
const NL_DASHES = Buffer.from('\n--');

/** Match the delimiter line at `p` (which must be a line start) against `bounds`. */
export function matchBoundary(raw: Buffer, p: number, bounds: Buffer[]): BoundaryHit | null {
  if (raw[p] !== DASH || raw[p + 1] !== DASH) return null;
  for (let w = 0; w < bounds.length; w++) {
    const b = bounds[w]!;
    const q0 = p + 2;
    if (q0 + b.length > raw.length) continue;
    if (raw.compare(b, 0, b.length, q0, q0 + b.length) !== 0) continue;
    let q = q0 + b.length;
    let close = false;
    if (raw[q] === DASH && raw[q + 1] === DASH) {
      close = true;
      q += 2;
    }
    while (q < raw.length && (raw[q] === 32 || raw[q] === 9)) q++;
    if (q >= raw.length) return { lineStart: p, lineEnd: raw.length, which: w, close };
    if (raw[q] === LF) return { lineStart: p, lineEnd: q + 1, which: w, close };
    if (raw[q] === CR && (q + 1 >= raw.length || raw[q + 1] === LF)) {
      return { lineStart: p, lineEnd: Math.min(q + 2, raw.length), which: w, close };
    }
  }
  return null;
}

/** Find the first delimiter line at or after `from` (a line start). */
export function findBoundary(raw: Buffer, from: number, bounds: Buffer[]): BoundaryHit | null {
  if (bounds.length === 0) return null;
  let p = from;
  while (p < raw.length) {
    const hit = matchBoundary(raw, p, bounds);
    if (hit) return hit;
    const nl = raw.indexOf(NL_DASHES, p);
    if (nl < 0) return null;
    p = nl + 1;
  }
  return null;
}

/** Start of the line ending that precedes `lineStart` (not going below `floor`). */
export function beforeEol(raw: Buffer, lineStart: number, floor: number): number {
  let e = lineStart;
  if (e > floor && raw[e - 1] === LF) {
    e--;
    if (e > floor && raw[e - 1] === CR) e--;
  }
  return e;
}
