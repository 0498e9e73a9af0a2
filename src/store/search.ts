/**
 * SEARCH evaluation (RFC 9051 §6.4.4) shared by every backend. A backend hands in a
 * record per message: its metadata plus lazy accessors for the stored text, so keys that
 * only need metadata (flags, UID, size, dates) never touch message text.
 *
 * - String keys: case-insensitive substring over decoded UTF-8 (the stored text is
 *   already lower-cased).
 * - Dates compare calendar dates, ignoring time and zone: INTERNALDATE by its UTC date
 *   (the store keeps instants, not the zone they were given in); SENT* by the date as
 *   written in the Date: header (its own zone), falling back to the internal date when the
 *   header is missing or unparsable.
 */
import type { MessageMeta, SearchQuery } from './types.js';
import { hasFlag, inUidSet } from './util.js';
import { matchHeaderField } from './headers.js';

export interface SearchRecord {
  meta: MessageMeta;
  /** raw Date: header value (envelope.date), or null */
  dateHeader(): string | null;
  /** lower-cased decoded header text and body text */
  text(): { header: string; body: string };
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** "YYYY-MM-DD" → yyyymmdd number; NaN when malformed. */
export function dayNumberFromIso(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return NaN;
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

function dayNumberUtc(d: Date): number {
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Calendar date of an RFC 5322 Date: value as written (in its own zone); null when unparsable. */
export function sentDayNumber(value: string | null): number | null {
  if (!value) return null;
  // RFC 5322 §3.3: [day-of-week ","] day month year time zone (obsolete forms tolerated)
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const day = Number(m[1]);
    if (month && day >= 1 && day <= 31) return year * 10000 + month * 100 + day;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : dayNumberUtc(new Date(t));
}

function compareDay(actual: number, cmp: 'before' | 'on' | 'since', wanted: number): boolean {
  if (Number.isNaN(wanted)) return false;
  if (cmp === 'before') return actual < wanted;
  if (cmp === 'on') return actual === wanted;
  return actual >= wanted;
}

/** true when the query needs message text (header fields, header text or body). */
export function needsText(q: SearchQuery): boolean {
  switch (q.op) {
    case 'header':
    case 'body':
    case 'text':
      return true;
    case 'and':
    case 'or':
      return q.of.some(needsText);
    case 'not':
      return needsText(q.of);
    default:
      return false;
  }
}

/** true when the query needs the Date: header */
export function needsDateHeader(q: SearchQuery): boolean {
  switch (q.op) {
    case 'sentdate':
      return true;
    case 'and':
    case 'or':
      return q.of.some(needsDateHeader);
    case 'not':
      return needsDateHeader(q.of);
    default:
      return false;
  }
}

/** what separates the runs ("words") of a search string: ASCII punctuation/symbols and white space */
export const RUN_SEPARATORS = /[\s!-/:-@[-`{-~]+/;

/** the runs of a string, in order (duplicates kept) */
export function searchRuns(value: string): string[] {
  return value.split(RUN_SEPARATORS).filter((r) => r.length > 0);
}

/**
 * RFC 6203 FUZZY string keys as exact ones: the string's runs must each occur, in any order
 * ("IMAP break" also finds "broken IMAP"). A string without runs stays a substring match.
 */
export function fuzzyToExact(q: SearchQuery): SearchQuery {
  switch (q.op) {
    case 'and':
      return { op: 'and', of: q.of.map(fuzzyToExact) };
    case 'or':
      return { op: 'or', of: [fuzzyToExact(q.of[0]), fuzzyToExact(q.of[1])] };
    case 'not':
      return { op: 'not', of: fuzzyToExact(q.of) };
    case 'header':
    case 'body':
    case 'text': {
      if (!q.fuzzy) return q;
      const runs = [...new Set(searchRuns(q.value))];
      const exact = (value: string): SearchQuery => (q.op === 'header' ? { op: 'header', field: q.field, value } : { op: q.op, value });
      return runs.length === 0 ? exact(q.value) : runs.length === 1 ? exact(runs[0]!) : { op: 'and', of: runs.map(exact) };
    }
    default:
      return q;
  }
}

export function matches(q: SearchQuery, r: SearchRecord): boolean {
  if ('fuzzy' in q && q.fuzzy) return matches(fuzzyToExact(q), r);
  switch (q.op) {
    case 'all':
      return true;
    case 'and':
      return q.of.every((s) => matches(s, r));
    case 'or':
      return matches(q.of[0], r) || matches(q.of[1], r);
    case 'not':
      return !matches(q.of, r);
    case 'uid':
      return inUidSet(r.meta.uid, q.set);
    case 'flag':
      return hasFlag(r.meta.flags, q.flag) === q.set;
    case 'internaldate':
      return compareDay(dayNumberUtc(r.meta.internalDate), q.cmp, dayNumberFromIso(q.date));
    case 'sentdate': {
      const day = sentDayNumber(r.dateHeader()) ?? dayNumberUtc(r.meta.internalDate);
      return compareDay(day, q.cmp, dayNumberFromIso(q.date));
    }
    case 'size':
      return q.cmp === 'larger' ? r.meta.size > q.n : r.meta.size < q.n;
    case 'header':
      return matchHeaderField(r.text().header, q.field, q.value);
    case 'body':
      return r.text().body.includes(q.value.toLowerCase());
    case 'text': {
      const needle = q.value.toLowerCase();
      const t = r.text();
      return t.header.includes(needle) || t.body.includes(needle);
    }
    case 'modseq':
      return r.meta.modseq >= q.min;
    default:
      return false;
  }
}
