/**
 * SORT order (RFC 5256 §3 SORT, RFC 5957 DISPLAYFROM/DISPLAYTO). Pure: sort rows in, rows out.
 * Strings are compared in their stored i;unicode-casemap form (src/mime/base-subject.ts);
 * DATE is the sent date, or INTERNALDATE when the Date: header is missing or unparsable
 * (§2.2). Messages equal on every key keep mailbox order (sequence number = ascending UID).
 */
import type { SortRow } from '../../store/sort-types.js';
import type { SortCriterion, SortKeyName } from '../wire/args/sort.js';

/** RFC 5256 §2.2 sent date, falling back to INTERNALDATE */
export const sentDate = (r: SortRow): number => r.sentDate ?? r.internalDate;

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

/** a new array in SORT order */
export function sortMessages(rows: readonly SortRow[], criteria: readonly SortCriterion[]): SortRow[] {
  // keys extracted once (a decorate-sort-undecorate: comparisons far outnumber rows)
  const dec = rows.map((r) => ({ r, k: criteria.map((c) => keyOf(r, c.key)) }));
  dec.sort((a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const x = a.k[i]!;
      const y = b.k[i]!;
      if (x !== y) return (x < y ? -1 : 1) * (criteria[i]!.reverse ? -1 : 1);
    }
    return a.r.uid - b.r.uid;
  });
  return dec.map((d) => d.r);
}
