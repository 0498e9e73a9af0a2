/**
 * SEARCH in SQL for the PostgreSQL store: the SearchQuery tree becomes one WHERE clause over
 * messages (m) and, when text or the Date: header is needed, blobs (b). Semantics are those
 * of ../search.ts, as in ../sqlite/search-sql.ts (the shared contract tests hold every
 * backend to the same answers): string keys are strpos() over the lower-cased text stored
 * at append; HEADER looks for a line "field:…value…" of the stored header text; UID sets
 * are one int8multirange parameter however large.
 */
import { dayNumberFromIso } from '../search.js';
import type { SearchQuery } from '../types.js';
import { mergedRanges } from '../util.js';

const DAY_MS = 86_400_000;

export interface CompiledSearch {
  where: string;
  params: unknown[];
  needsBlob: boolean;
}

function utcDayStart(iso: string): number | null {
  const n = dayNumberFromIso(iso);
  if (Number.isNaN(n)) return null;
  return Date.UTC(Math.floor(n / 10000), (Math.floor(n / 100) % 100) - 1, n % 100);
}

/** compiles `q`; parameters are numbered from `first` */
export function compileSearch(q: SearchQuery, first: number): CompiledSearch {
  const params: unknown[] = [];
  let needsBlob = false;
  const p = (v: unknown) => {
    params.push(v);
    return `$${first + params.length - 1}`;
  };

  const go = (x: SearchQuery): string => {
    switch (x.op) {
      case 'all':
        return 'true';
      case 'and':
        return x.of.length === 0 ? 'true' : '(' + x.of.map(go).join(' AND ') + ')';
      case 'or':
        return `(${go(x.of[0])} OR ${go(x.of[1])})`;
      case 'not':
        return `(NOT ${go(x.of)})`;
      case 'uid': {
        const ranges = mergedRanges(x.set);
        if (ranges.length === 0) return 'false';
        if (ranges.length === 1) return `m.uid BETWEEN ${p(ranges[0]![0])} AND ${p(ranges[0]![1])}`;
        return `${p('{' + ranges.map(([a, b]) => `[${a},${b}]`).join(',') + '}')}::int8multirange @> m.uid`;
      }
      case 'flag': {
        const f = x.flag.toLowerCase();
        let expr: string;
        if (f === '\\seen') expr = 'm.seen';
        else if (f === '\\deleted') expr = 'm.deleted';
        else expr = `EXISTS (SELECT 1 FROM unnest(m.flags) AS f WHERE lower(f) = ${p(f)})`;
        return x.set ? `(${expr})` : `(NOT (${expr}))`;
      }
      case 'internaldate': {
        const start = utcDayStart(x.date);
        if (start === null) return 'false';
        if (x.cmp === 'before') return `m.internal_date < ${p(start)}`;
        if (x.cmp === 'since') return `m.internal_date >= ${p(start)}`;
        return `(m.internal_date >= ${p(start)} AND m.internal_date < ${p(start + DAY_MS)})`;
      }
      case 'sentdate': {
        const day = dayNumberFromIso(x.date);
        if (Number.isNaN(day)) return 'false';
        needsBlob = true;
        const op = x.cmp === 'before' ? '<' : x.cmp === 'on' ? '=' : '>=';
        return `coalesce(b.sent_day, to_char(to_timestamp(m.internal_date / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD')::int) ${op} ${p(day)}`;
      }
      case 'size':
        return x.cmp === 'larger' ? `m.size > ${p(x.n)}` : `m.size < ${p(x.n)}`;
      case 'header': {
        needsBlob = true;
        const field = x.field.toLowerCase() + ':';
        const v = x.value.toLowerCase();
        // strpos() rejects most rows before the lines are split
        return `(strpos(b.header_text, ${p(v)}) > 0 AND EXISTS (SELECT 1 FROM regexp_split_to_table(b.header_text, E'\\n') AS l
          WHERE starts_with(l, ${p(field)}) AND strpos(substr(l, ${p(field.length + 1)}), ${p(v)}) > 0))`;
      }
      case 'body':
        needsBlob = true;
        return `strpos(b.body_text, ${p(x.value.toLowerCase())}) > 0`;
      case 'text': {
        needsBlob = true;
        const v = x.value.toLowerCase();
        return `(strpos(b.header_text, ${p(v)}) > 0 OR strpos(b.body_text, ${p(v)}) > 0)`;
      }
      case 'modseq':
        return `m.modseq >= ${p(x.min)}`;
      default:
        return 'false';
    }
  };
  return { where: go(q), params, needsBlob };
}
