/**
 * Sequence sets (RFC 9051 §9):
 *   sequence-set = (seq-number / seq-range) ["," sequence-set]  /  "$"  (RFC 5182 SEARCHRES)
 *   seq-range    = seq-number ":" seq-number ;  seq-number = nz-number / "*"
 * The session resolves them against its view: "*" is the largest number in use (or
 * UIDNEXT-1 semantics per RFC 9051 §6.4.8 for UIDs), "$" the saved search result.
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';

/** "*" is written as the string '*'. */
export type SeqNumber = number | '*';

export type SequenceSet = { saved: true } | { saved: false; ranges: Array<[SeqNumber, SeqNumber]> };

const SEQ_RE = /^(?:\d+|\*)(?::(?:\d+|\*))?(?:,(?:\d+|\*)(?::(?:\d+|\*))?)*$/;

function seqNumber(s: string): SeqNumber {
  if (s === '*') return '*';
  const n = Number(s);
  if (s.length > 10 || n < 1 || n > 0xffffffff) bad(`Bad sequence number "${s.slice(0, 20)}"`);
  return n;
}

/** Parses the text of a sequence set. Throws WireError. */
export function parseSequenceSet(s: string): SequenceSet {
  if (s === '$') return { saved: true };
  if (!SEQ_RE.test(s)) bad(`Bad sequence set "${s.slice(0, 40)}"`);
  const ranges: Array<[SeqNumber, SeqNumber]> = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split(':') as [string, string | undefined];
    const lo = seqNumber(a);
    ranges.push([lo, b === undefined ? lo : seqNumber(b)]);
  }
  return { saved: false, ranges };
}

/** Whether a token looks like a sequence set (used by SEARCH to tell keys from sets). */
export function isSequenceSetToken(t: Token | undefined): boolean {
  return !!t && t.type === 'atom' && (t.value === '$' || SEQ_RE.test(t.value));
}

export function sequenceSetFromToken(t: Token | undefined): SequenceSet {
  if (!t || t.type !== 'atom') bad('Expected a sequence set');
  return parseSequenceSet(t.value);
}

/**
 * Resolves a (non-saved) sequence set against `star` (the value of "*": highest sequence
 * number or highest UID; 0 for an empty mailbox). Returns sorted, merged, inclusive ranges.
 * Per RFC 9051 §9 a range "a:b" means the same as "b:a". Values above `star` are kept
 * (the caller clips them: for UIDs they simply match nothing; for sequence numbers the
 * caller decides whether that is BAD, RFC 9051 §6.4.5).
 */
export function resolveSequenceSet(set: SequenceSet, star: number): Array<[number, number]> {
  if (set.saved) throw new Error('resolveSequenceSet: "$" must be replaced by the saved result first');
  const rs = set.ranges
    .map(([a, b]) => {
      const x = a === '*' ? star : a;
      const y = b === '*' ? star : b;
      return (x <= y ? [x, y] : [y, x]) as [number, number];
    })
    .sort((p, q) => p[0] - q[0]);
  const out: Array<[number, number]> = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
