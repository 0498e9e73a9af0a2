/**
 * RFC 5256 SORT order over sort rows (./sort-types.ts SortOps.sortUids), for a backend that
 * orders in JavaScript (memory), and as the reference the SQL orderings are tested against
 * (test/unit/store/contract.ts). Pure: rows in, UIDs out.
 */
import type { SortCriterion, SortKeyName, SortRow, ThreadRow } from './sort-types.js';

/** RFC 5256 §2.2 sent date, falling back to INTERNALDATE */
export const sentDate = (r: Pick<ThreadRow, 'sentDate' | 'internalDate'>): number => r.sentDate ?? r.internalDate;

/**
 * Strings by Unicode code point (= the octets of UTF-8), not by UTF-16 unit as `<` does: the
 * two differ only when one side has a surrogate pair (U+10000 and above) where the other has
 * a character from U+E000 to U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  // a surrogate (D800-DFFF) stands for a code point above FFFF: move it above E000-FFFF
  if (x >= 0xd800 && y >= 0xd800) {
    x += x < 0xe000 ? 0x2000 : -0x800;
    y += y < 0xe000 ? 0x2000 : -0x800;
  }
  return x - y;
}

function keyOf(r: SortRow, k: SortKeyName): string | number {
  switch (k) {
    case 'ARRIVAL':
      return r.internalDate;
    case 'CC':
      return r.cc;
    case 'DATE':
      return sentDate(r);
    case 'FROM':
      return r.from;
    case 'SIZE':
      return r.size;
    case 'SUBJECT':
      return r.subject;
    case 'TO':
      return r.to;
    case 'DISPLAYFROM':
      return r.displayFrom;
    case 'DISPLAYTO':
      return r.displayTo;
  }
}

/** the UIDs of `rows` in SORT order (ties: ascending UID) */
export function orderRows(rows: readonly SortRow[], criteria: readonly SortCriterion[]): number[] {
  // keys extracted once (decorate-sort-undecorate: comparisons far outnumber rows)
  const dec = rows.map((r) => ({ uid: r.uid, k: criteria.map((c) => keyOf(r, c.key)) }));
  dec.sort((a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const x = a.k[i]!;
      const y = b.k[i]!;
      if (x === y) continue;
      const c = typeof x === 'number' ? x - (y as number) : compareCodePoints(x, y as string);
      return criteria[i]!.reverse ? -c : c;
    }
    return a.uid - b.uid;
  });
  return dec.map((d) => d.uid);
}
