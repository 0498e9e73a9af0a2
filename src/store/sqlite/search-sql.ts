/**
 * SEARCH in SQL for the SQLite store: the SearchQuery tree becomes one WHERE clause so
 * a search over 100,000 messages is a single native scan (string keys use instr() on the
 * lower-cased text stored at append). Semantics are those of ../search.ts (the memory
 * backend evaluates with it; the shared contract tests hold both to the same answers):
 * - INTERNALDATE compares UTC calendar dates; SENT* the Date: header's own date
 *   (blobs.sent_day), falling back to the internal date.
 * - HEADER uses lb_header() (matchHeaderField) over the stored header text.
 * - Big UID sets go through lb_uidset() instead of thousands of bound parameters.
 */
import type Database from 'better-sqlite3';
import { matchHeaderField } from '../headers.js';
import { dayNumberFromIso, fuzzyToExact } from '../search.js';
import type { SearchQuery } from '../types.js';
import { mergedRanges } from '../util.js';
import { unindexedBlobs, type FtsColumn, type FullText } from './fulltext.js';

const DAY_MS = 86_400_000;
const INLINE_RANGES = 50;

export interface CompiledSearch {
  where: string;
  params: unknown[];
  /** the query reads blobs (text or Date: header) */
  needsBlob: boolean;
  /** UID sets handed to lb_uidset(); release after the query */
  sets: number[];
}

/** Registers lb_header() and lb_uidset(); returns the registry used for big UID sets. */
export function registerSearchFunctions(db: Database.Database): Map<number, Array<[number, number]>> {
  const sets = new Map<number, Array<[number, number]>>();
  db.function('lb_header', { deterministic: true }, (lines: unknown, field: unknown, value: unknown) =>
    matchHeaderField(String(lines ?? ''), String(field), String(value)) ? 1 : 0,
  );
  db.function('lb_uidset', { deterministic: false }, (uid: unknown, key: unknown) => {
    const ranges = sets.get(Number(key));
    if (!ranges) return 0;
    const u = Number(uid);
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = ranges[mid]!;
      if (u < a) hi = mid - 1;
      else if (u > b) lo = mid + 1;
      else return 1;
    }
    return 0;
  });
  return sets;
}

let nextSetKey = 1;

function utcDayStart(iso: string): number | null {
  const n = dayNumberFromIso(iso);
  if (Number.isNaN(n)) return null;
  return Date.UTC(Math.floor(n / 10000), Math.floor(n / 100) % 100 - 1, n % 100);
}

export function compileSearch(q: SearchQuery, registry: Map<number, Array<[number, number]>>, fulltext?: FullText): CompiledSearch {
  const params: unknown[] = [];
  const sets: number[] = [];
  let needsBlob = false;

  /** BODY/TEXT: through the full-text index when it can answer (fulltext.ts), else a scan */
  const textKey = (value: string, column: FtsColumn): string => {
    const v = value.toLowerCase();
    const scan = (): string => {
      needsBlob = true;
      if (column === 'body') {
        params.push(v);
        return 'instr(b.body_text, ?) > 0';
      }
      params.push(v, v);
      return '(instr(b.header_text, ?) > 0 OR instr(b.body_text, ?) > 0)';
    };
    const plan = fulltext?.plan(v, column);
    if (!plan) return scan();
    // blobs not in the index (too big: fulltext.ts MAX_INDEXED_CHARS; new ones above the
    // indexed mark) are scanned in the subquery: CROSS JOIN keeps SQLite walking that
    // (usually empty) list, and the new ones are a range of ids, never every blob
    const cond = column === 'body' ? [v] : [v, v];
    params.push(...(plan.kind === 'match' ? [plan.match] : []), ...cond, ...cond);
    const unindexed = unindexedBlobs(column === 'body' ? 'instr(x.body_text, ?) > 0' : '(instr(x.header_text, ?) > 0 OR instr(x.body_text, ?) > 0)');
    const indexed =
      plan.kind === 'none'
        ? `m.blob_id IN (${unindexed})`
        : `m.blob_id IN (SELECT rowid FROM text_fts WHERE text_fts MATCH ? UNION ${unindexed})`;
    return plan.kind === 'match' && !plan.exact ? `(${indexed} AND ${scan()})` : indexed;
  };

  const go = (x: SearchQuery): string => {
    switch (x.op) {
      case 'all':
        return '1';
      case 'and':
        return x.of.length === 0 ? '1' : '(' + x.of.map(go).join(' AND ') + ')';
      case 'or':
        return `(${go(x.of[0])} OR ${go(x.of[1])})`;
      case 'not':
        return `(NOT ${go(x.of)})`;
      case 'uid': {
        const ranges = mergedRanges(x.set);
        if (ranges.length === 0) return '0';
        if (ranges.length > INLINE_RANGES) {
          const key = nextSetKey++;
          registry.set(key, ranges);
          sets.push(key);
          params.push(key);
          return 'lb_uidset(m.uid, ?)';
        }
        for (const [a, b] of ranges) params.push(a, b);
        return '(' + ranges.map(() => 'm.uid BETWEEN ? AND ?').join(' OR ') + ')';
      }
      case 'flag': {
        const f = x.flag.toLowerCase();
        let expr: string;
        if (f === '\\seen') expr = 'm.seen = 1';
        else if (f === '\\deleted') expr = 'm.deleted = 1';
        else {
          params.push(f);
          expr = 'EXISTS (SELECT 1 FROM json_each(m.flags) WHERE lower(json_each.value) = ?)';
        }
        return x.set ? `(${expr})` : `(NOT (${expr}))`;
      }
      case 'internaldate': {
        const start = utcDayStart(x.date);
        if (start === null) return '0';
        if (x.cmp === 'before') {
          params.push(start);
          return 'm.internal_date < ?';
        }
        if (x.cmp === 'since') {
          params.push(start);
          return 'm.internal_date >= ?';
        }
        params.push(start, start + DAY_MS);
        return '(m.internal_date >= ? AND m.internal_date < ?)';
      }
      case 'sentdate': {
        const day = dayNumberFromIso(x.date);
        if (Number.isNaN(day)) return '0';
        needsBlob = true;
        params.push(day);
        const op = x.cmp === 'before' ? '<' : x.cmp === 'on' ? '=' : '>=';
        return `coalesce(b.sent_day, CAST(strftime('%Y%m%d', m.internal_date / 1000, 'unixepoch') AS INTEGER)) ${op} ?`;
      }
      case 'size':
        params.push(x.n);
        return x.cmp === 'larger' ? 'm.size > ?' : 'm.size < ?';
      case 'header': {
        needsBlob = true;
        // a match is a substring of one line of the (lower-cased) header text, so the value
        // must occur in the header: the full-text index picks those messages (without reading
        // every blob row), the native instr() rejects most others before the JS function runs
        const v = x.value.toLowerCase();
        const plan = v === '' ? null : fulltext?.plan(v, 'header');
        const check = '(instr(b.header_text, ?) > 0 AND lb_header(b.header_text, ?, ?) = 1)';
        if (!plan) {
          params.push(v, x.field.toLowerCase(), v);
          return check;
        }
        // candidates from the index, plus the blobs too big to be in it
        const unindexed = unindexedBlobs('instr(x.header_text, ?) > 0');
        if (plan.kind === 'match') params.push(plan.match);
        params.push(v, v, v, x.field.toLowerCase(), v);
        const from = plan.kind === 'match' ? `SELECT rowid FROM text_fts WHERE text_fts MATCH ? UNION ${unindexed}` : unindexed;
        return `(m.blob_id IN (${from}) AND ${check})`;
      }
      case 'body':
        return textKey(x.value, 'body');
      case 'text':
        return textKey(x.value, 'text');
      case 'modseq':
        params.push(x.min);
        return 'm.modseq >= ?';
      default:
        return '0';
    }
  };
  const where = go(fuzzyToExact(q));
  return { where, params, needsBlob, sets };
}
