/**
 * SEARCH arguments (RFC 9051 §6.4.4, §9 "search", "search-key"; RFC 3501 §6.4.4 for
 * NEW/OLD/RECENT; RFC 4731 ESEARCH RETURN options; RFC 5182 SEARCHRES SAVE and "$";
 * RFC 7162 §3.1.5 MODSEQ; RFC 6203 §3 FUZZY; RFC 5032 OLDER/YOUNGER):
 *   search = "SEARCH" [search-return-opts] SP search-program
 *   search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
 *   search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
 * The AST mirrors the store's SearchQuery, but sequence sets stay unresolved (`seq`, `uid`,
 * possibly "$") and RECENT/OLD/NEW stay distinct nodes: the session resolves them through
 * its view before handing a SearchQuery to the store.
 */
import { WireError, bad } from '../errors.js';
import { describeToken, type Token } from '../tokens.js';
import { parseSearchDate } from '../date.js';
import { ArgCursor } from './cursor.js';
import { isSequenceSetToken, sequenceSetFromToken, type SequenceSet } from './seqset.js';
import { parseFlag } from './flags.js';

export type DateCmp = 'before' | 'on' | 'since';

export type SearchKey =
  | { op: 'all' }
  | { op: 'and'; of: SearchKey[] }
  | { op: 'or'; of: [SearchKey, SearchKey] }
  | { op: 'not'; of: SearchKey }
  /** message sequence numbers (or "$"), unresolved */
  | { op: 'seq'; set: SequenceSet }
  /** UIDs (or "$"), unresolved */
  | { op: 'uid'; set: SequenceSet }
  | { op: 'flag'; flag: string; set: boolean }
  /** RECENT (set=true) / OLD (set=false): rev1 \Recent, resolved by the session */
  | { op: 'recent'; set: boolean }
  /** NEW = RECENT UNSEEN (RFC 3501 §6.4.4) */
  | { op: 'new' }
  | { op: 'internaldate'; cmp: DateCmp; date: string }
  | { op: 'sentdate'; cmp: DateCmp; date: string }
  | { op: 'size'; cmp: 'larger' | 'smaller'; n: number }
  | { op: 'header'; field: string; value: string; fuzzy?: boolean }
  | { op: 'body'; value: string; fuzzy?: boolean }
  | { op: 'text'; value: string; fuzzy?: boolean }
  | { op: 'modseq'; min: number; entry: { name: string; type: 'priv' | 'shared' | 'all' } | null }
  /** RFC 8514 SAVEDBEFORE / SAVEDON / SAVEDSINCE, and SAVEDATESUPPORTED (date null) */
  | { op: 'savedate'; cmp: DateCmp; date: string }
  | { op: 'savedatesupported' }
  /** RFC 5032 WITHIN: OLDER n (older: true) / YOUNGER n, INTERNALDATE against now minus n seconds */
  | { op: 'within'; older: boolean; seconds: number };

export interface SearchReturn {
  min: boolean;
  max: boolean;
  all: boolean;
  count: boolean;
  save: boolean;
  /** RFC 6203 §4: a relevancy score (1-100) per message found; only with a FUZZY key (present only when asked) */
  relevancy?: boolean;
  /** RFC 5267 §4: UPDATE (keep the result up to date with ADDTO/REMOVETO) and CONTEXT (a hint) */
  update: boolean;
  context: boolean;
  /** RFC 9394 PARTIAL: 1-based positions, negative = from the end (-1 is the last); low ≤ high in magnitude order */
  partial: ResultRange | null;
}

/** RFC 9394 partial-range: "first:last" (positive) or "-first:-last" (from the end), as given in the command */
export interface ResultRange {
  from: number;
  to: number;
  /** the range as the client wrote it, normalised (for the response) */
  text: string;
}

/** RFC 9394 §3: partial-range-first = nz-number ":" nz-number / partial-range-last = "-" nz-number ":" "-" nz-number */
export function parseResultRange(s: string): ResultRange {
  const m = /^(-?)([1-9]\d{0,9}):(-?)([1-9]\d{0,9})$/.exec(s);
  if (!m || m[1] !== m[3]) bad('PARTIAL needs a range like 1:100 or -1:-100');
  let a = Number(m[2]);
  let b = Number(m[4]);
  if (a > 0xffffffff || b > 0xffffffff) bad('PARTIAL range is out of range');
  if (a > b) [a, b] = [b, a];
  const neg = m[1] === '-';
  return { from: neg ? -a : a, to: neg ? -b : b, text: neg ? `-${a}:-${b}` : `${a}:${b}` };
}

/** the slice of `items` a PARTIAL range selects (RFC 9394 §3) */
export function partialSlice<T>(items: readonly T[], p: ResultRange): T[] {
  if (p.from > 0) return items.slice(p.from - 1, p.to);
  // -1 is the last item; -1:-3 are the last three, in ascending order
  const end = items.length + p.from + 1;
  const start = Math.max(0, items.length + p.to);
  return end <= 0 ? [] : items.slice(start, end);
}

export interface SearchArgs {
  /** null when the client sent no RETURN (classic "* SEARCH" response); RETURN () means ALL */
  ret: SearchReturn | null;
  /** upper-cased charset, or null when absent */
  charset: string | null;
  query: SearchKey;
}

/** Charsets accepted by CHARSET (others: WireError code BADCHARSET → NO [BADCHARSET (UTF-8 US-ASCII)]). */
export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII'];

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const ADDRESS_KEYS: Record<string, string> = { BCC: 'bcc', CC: 'cc', FROM: 'from', TO: 'to', SUBJECT: 'subject' };
const DATE_KEYS: Record<string, ['internaldate' | 'sentdate', DateCmp]> = {
  BEFORE: ['internaldate', 'before'],
  ON: ['internaldate', 'on'],
  SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'],
  SENTON: ['sentdate', 'on'],
  SENTSINCE: ['sentdate', 'since'],
};

const MAX_DEPTH = 100;

function dateArg(c: ArgCursor, key: string): string {
  const t = c.next(`date after ${key}`);
  if (t.type !== 'atom' && t.type !== 'quoted') bad(`Expected a date after ${key}`);
  return parseSearchDate(t.value);
}

function parseKey(c: ArgCursor, depth: number): SearchKey {
  if (depth > MAX_DEPTH) bad('Search keys nested too deeply');
  const t = c.next('search key');
  if (t.type === 'list') {
    if (t.items.length === 0) bad('Empty parenthesized search key');
    return parseKeys(new ArgCursor(t.items, 'SEARCH'), depth + 1);
  }
  if (t.type !== 'atom') bad(`Expected a search key, got ${describeToken(t)}`);
  if (isSequenceSetToken(t)) return { op: 'seq', set: sequenceSetFromToken(t) };
  const key = t.value.toUpperCase();
  const flag = FLAG_KEYS[key];
  if (flag) return { op: 'flag', flag: flag[0], set: flag[1] };
  const addr = ADDRESS_KEYS[key];
  if (addr) return { op: 'header', field: addr, value: c.astring(`string after ${key}`) };
  const date = DATE_KEYS[key];
  if (date) return { op: date[0], cmp: date[1], date: dateArg(c, key) };
  switch (key) {
    case 'ALL':
      return { op: 'all' };
    case 'SAVEDBEFORE':
    case 'SAVEDON':
    case 'SAVEDSINCE':
      return { op: 'savedate', cmp: key === 'SAVEDBEFORE' ? 'before' : key === 'SAVEDON' ? 'on' : 'since', date: dateArg(c, key) };
    case 'SAVEDATESUPPORTED':
      return { op: 'savedatesupported' };
    case 'OLDER':
    case 'YOUNGER': {
      // RFC 5032 §3: "OLDER" SP interval / "YOUNGER" SP interval; interval = 1*DIGIT (seconds, non-zero)
      const n = c.number64(`interval after ${key}`);
      if (n < 1) bad(`${key} needs an interval of at least 1 second`);
      return { op: 'within', older: key === 'OLDER', seconds: n };
    }
    case 'NEW':
      return { op: 'new' };
    case 'OLD':
      return { op: 'recent', set: false };
    case 'RECENT':
      return { op: 'recent', set: true };
    case 'BODY':
      return { op: 'body', value: c.astring('string after BODY') };
    case 'TEXT':
      return { op: 'text', value: c.astring('string after TEXT') };
    case 'HEADER': {
      const field = c.astring('header field name after HEADER');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) bad(`Bad header field name "${field.slice(0, 40)}"`);
      return { op: 'header', field: field.toLowerCase(), value: c.astring('string after HEADER field') };
    }
    case 'KEYWORD':
    case 'UNKEYWORD': {
      const f = parseFlag(c.atom(`flag after ${key}`));
      return { op: 'flag', flag: f, set: key === 'KEYWORD' };
    }
    case 'LARGER':
    case 'SMALLER':
      return { op: 'size', cmp: key === 'LARGER' ? 'larger' : 'smaller', n: c.number64(`number after ${key}`) };
    case 'NOT':
      return { op: 'not', of: parseKey(c, depth + 1) };
    case 'FUZZY':
      // RFC 6203 §3: "FUZZY" SP search-key; on keys without a string it changes nothing
      return fuzzy(parseKey(c, depth + 1));
    case 'OR': {
      const a = parseKey(c, depth + 1);
      const b = parseKey(c, depth + 1);
      return { op: 'or', of: [a, b] };
    }
    case 'UID':
      return { op: 'uid', set: sequenceSetFromToken(c.next('UID set')) };
    case 'MODSEQ': {
      // RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
      let entry: { name: string; type: 'priv' | 'shared' | 'all' } | null = null;
      const p = c.peek();
      if (p && p.type === 'quoted') {
        const name = c.astring('entry name');
        const type = c.atom('entry type').toLowerCase();
        if (type !== 'priv' && type !== 'shared' && type !== 'all') bad('MODSEQ entry type must be priv, shared or all');
        entry = { name, type };
      }
      return { op: 'modseq', min: c.number64('MODSEQ value'), entry };
    }
    default:
      bad(`Unknown search key "${t.value.slice(0, 40)}"`);
  }
}

/** marks the string keys of `k` (and of its sub-keys) as fuzzy */
function fuzzy(k: SearchKey): SearchKey {
  switch (k.op) {
    case 'and':
      return { op: 'and', of: k.of.map(fuzzy) };
    case 'or':
      return { op: 'or', of: [fuzzy(k.of[0]), fuzzy(k.of[1])] };
    case 'not':
      return { op: 'not', of: fuzzy(k.of) };
    case 'header':
    case 'body':
    case 'text':
      return { ...k, fuzzy: true };
    default:
      return k;
  }
}

/** true when some string key of `k` is fuzzy */
export function hasFuzzy(k: SearchKey): boolean {
  if (k.op === 'and') return k.of.some(hasFuzzy);
  if (k.op === 'or') return hasFuzzy(k.of[0]) || hasFuzzy(k.of[1]);
  if (k.op === 'not') return hasFuzzy(k.of);
  return (k.op === 'header' || k.op === 'body' || k.op === 'text') && !!k.fuzzy;
}

/** the same search with every FUZZY dropped (exact substring keys) */
export function withoutFuzzy(k: SearchKey): SearchKey {
  switch (k.op) {
    case 'and':
      return { op: 'and', of: k.of.map(withoutFuzzy) };
    case 'or':
      return { op: 'or', of: [withoutFuzzy(k.of[0]), withoutFuzzy(k.of[1])] };
    case 'not':
      return { op: 'not', of: withoutFuzzy(k.of) };
    case 'header':
    case 'body':
    case 'text': {
      const { fuzzy: _, ...exact } = k;
      return exact;
    }
    default:
      return k;
  }
}

function parseKeys(c: ArgCursor, depth: number): SearchKey {
  const keys: SearchKey[] = [];
  while (!c.done) keys.push(parseKey(c, depth));
  if (keys.length === 0) bad('Missing search criteria');
  return keys.length === 1 ? keys[0]! : { op: 'and', of: keys };
}

/** RETURN options (RFC 4731 §3.1, RFC 5182 §2). */
export function parseSearchReturn(t: Token | undefined): SearchReturn {
  if (!t || t.type !== 'list') bad('RETURN needs a parenthesized option list');
  const r: SearchReturn = { min: false, max: false, all: false, count: false, save: false, update: false, context: false, partial: null };
  for (let i = 0; i < t.items.length; i++) {
    const it = t.items[i]!;
    if (it.type !== 'atom') bad('Bad RETURN option');
    const k = it.value.toUpperCase();
    if (k === 'PARTIAL') {
      const range = t.items[++i];
      if (!range || range.type !== 'atom') bad('PARTIAL needs a range');
      r.partial = parseResultRange(range.value);
    } else if (k === 'MIN') r.min = true;
    else if (k === 'MAX') r.max = true;
    else if (k === 'ALL') r.all = true;
    else if (k === 'COUNT') r.count = true;
    else if (k === 'SAVE') r.save = true;
    else if (k === 'RELEVANCY') r.relevancy = true;
    else if (k === 'UPDATE') r.update = true;
    else if (k === 'CONTEXT') r.context = true;
    else bad(`Unknown RETURN option "${it.value.slice(0, 40)}"`);
  }
  // RFC 4731 §3.1: "RETURN ()" means RETURN (ALL); so does a RETURN with only UPDATE / CONTEXT
  if (!r.min && !r.max && !r.all && !r.count && !r.save && !r.partial && !r.relevancy) r.all = true;
  if (r.update && r.save) bad('UPDATE cannot be combined with SAVE (RFC 5267 §4.2)');
  return r;
}

/** SEARCH / UID SEARCH arguments. Throws WireError ('BAD' or 'BADCHARSET'). */
export function parseSearchArgs(args: readonly Token[]): SearchArgs {
  const c = new ArgCursor(args, 'SEARCH');
  let ret: SearchReturn | null = null;
  let charset: string | null = null;
  if (c.acceptWord('RETURN')) ret = parseSearchReturn(c.next('RETURN options'));
  if (c.acceptWord('CHARSET')) {
    charset = c.astring('charset').toUpperCase();
    if (!SEARCH_CHARSETS.includes(charset)) throw new WireError(`Charset ${charset} is not supported`, 'BADCHARSET');
  }
  return { ret, charset, query: parseKeys(c, 0) };
}

/** True when the query contains a MODSEQ key (the response then carries (MODSEQ n), RFC 7162 §3.1.5). */
export function searchUsesModseq(k: SearchKey): boolean {
  switch (k.op) {
    case 'modseq':
      return true;
    case 'and':
    case 'or':
      return k.of.some(searchUsesModseq);
    case 'not':
      return searchUsesModseq(k.of);
    default:
      return false;
  }
}
