/**
 * SORT and THREAD arguments (RFC 5256 §4; RFC 5267 §3 ESORT return options; RFC 9394 PARTIAL):
 *   sort   = ["UID" SP] "SORT" [SP sort-return-opts] SP sort-criteria SP search-criteria
 *   sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
 *   sort-criterion = ["REVERSE" SP] sort-key
 *   sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
 *            / "DISPLAYFROM" / "DISPLAYTO"                       (RFC 5957)
 *   thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
 *   search-criteria = charset 1*(SP search-key)               (the charset is required)
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { parseSearchArgs, type SearchArgs } from './search.js';

export const SORT_KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'] as const;
export type SortKeyName = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  key: SortKeyName;
  reverse: boolean;
}

/** RFC 5256 ORDEREDSUBJECT and REFERENCES; REFS as Dovecot (REFERENCES without subject merging) */
export const THREAD_ALGORITHMS = ['ORDEREDSUBJECT', 'REFERENCES', 'REFS'] as const;
export type ThreadAlgorithm = (typeof THREAD_ALGORITHMS)[number];

/** at most this many sort criteria (each key once, with or without REVERSE, is plenty) */
const MAX_CRITERIA = 16;

export interface SortArgs extends SearchArgs {
  criteria: SortCriterion[];
}

/** charset and search keys after SORT criteria / THREAD algorithm: handed to the SEARCH parser */
function searchPart(c: ArgCursor, ret: Token[]): SearchArgs {
  const charset = c.next('charset');
  const rest: Token[] = [];
  while (!c.done) rest.push(c.next('search key'));
  if (!rest.length) bad('Missing search criteria');
  return parseSearchArgs([...ret, { type: 'atom', value: 'CHARSET' }, charset, ...rest]);
}

export function parseSortArgs(args: readonly Token[]): SortArgs {
  const c = new ArgCursor(args, 'SORT');
  const ret: Token[] = [];
  if (c.acceptWord('RETURN')) ret.push({ type: 'atom', value: 'RETURN' }, c.list('RETURN options'));
  const list = c.list('sort criteria');
  if (!list.items.length) bad('SORT needs at least one sort criterion');
  if (list.items.length > MAX_CRITERIA * 2) bad('Too many sort criteria');
  const criteria: SortCriterion[] = [];
  const k = new ArgCursor(list.items, 'SORT criteria');
  while (!k.done) {
    let word = k.atom('sort key').toUpperCase();
    const reverse = word === 'REVERSE';
    if (reverse) word = k.atom('sort key after REVERSE').toUpperCase();
    if (!(SORT_KEYS as readonly string[]).includes(word)) bad(`Unknown sort key "${word.slice(0, 40)}"`);
    criteria.push({ key: word as SortKeyName, reverse });
  }
  return { ...searchPart(c, ret), criteria };
}

export interface ThreadArgs extends SearchArgs {
  algorithm: ThreadAlgorithm;
}

export function parseThreadArgs(args: readonly Token[]): ThreadArgs {
  const c = new ArgCursor(args, 'THREAD');
  const alg = c.atom('threading algorithm').toUpperCase();
  if (!(THREAD_ALGORITHMS as readonly string[]).includes(alg)) bad(`Unsupported threading algorithm "${alg.slice(0, 40)}"`);
  return { ...searchPart(c, []), algorithm: alg as ThreadAlgorithm };
}
