/**
 * Comparators (RFC 5228 §2.7.3, RFC 4790: i;octet, i;ascii-casemap; RFC 5231 §?:
 * i;ascii-numeric) and match types (RFC 5228 §2.7.1: :is :contains :matches; RFC 5231:
 * :count and :value with gt ge lt le eq ne). Wildcard matching never backtracks
 * exponentially: one backtracking point (the last "*"), O(value × pattern) at worst,
 * paid for in interpreter ticks.
 */
export type MatchType = 'is' | 'contains' | 'matches' | 'count' | 'value';
export type Relation = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';
export const RELATIONS: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

export interface Comparator {
  name: string;
  /** :contains and :matches are defined for it */
  substring: boolean;
  /** maps a value to the form compared (case folding, numeric key) */
  prepare(s: string): string;
  /** order of two prepared values */
  compare(a: string, b: string): number;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
/** i;ascii-casemap folds A-Z only (RFC 4790 §9.2); for ASCII text that is toLowerCase() */
const asciiLower = (s: string): string => (!/[A-Z]/.test(s) ? s : ASCII.test(s) ? s.toLowerCase() : s.replace(/[A-Z]+/g, (c) => c.toLowerCase()));
const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** RFC 4790 §9.4: i;ascii-numeric — the leading digits as a number; no digits = positive infinity */
function numericKey(s: string): string {
  const m = /^[0-9]+/.exec(s);
  if (!m) return '';
  const digits = m[0].replace(/^0+(?=.)/, '');
  return digits;
}
function numericCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  return a.length !== b.length ? a.length - b.length : order(a, b);
}

export const COMPARATORS: ReadonlyMap<string, Comparator> = new Map([
  ['i;octet', { name: 'i;octet', substring: true, prepare: (s: string) => s, compare: order }],
  ['i;ascii-casemap', { name: 'i;ascii-casemap', substring: true, prepare: asciiLower, compare: order }],
  ['i;ascii-numeric', { name: 'i;ascii-numeric', substring: false, prepare: numericKey, compare: numericCompare }],
]);

export function relate(c: number, rel: Relation): boolean {
  switch (rel) {
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
  }
}

export interface Matcher {
  type: MatchType;
  relation: Relation | null;
  comparator: Comparator;
}

/** what a match needs from the running script */
export interface MatchHost {
  /** pays for work done (throws when the CPU budget is spent) */
  tick(units: number): void;
  /** sets ${0}…${9} after a successful :matches (null when variables are not in use) */
  setMatches: ((values: string[]) => void) | null;
}

type Token = { t: 'lit'; c: string } | { t: 'star' } | { t: 'one' };

const patternCache = new Map<string, Token[]>();

function compilePattern(p: string): Token[] {
  const hit = patternCache.get(p);
  if (hit) return hit;
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) out.push({ t: 'lit', c: p[++i]! });
    else if (c === '*') out.push({ t: 'star' });
    else if (c === '?') out.push({ t: 'one' });
    else out.push({ t: 'lit', c });
  }
  if (patternCache.size > 2000) patternCache.clear();
  patternCache.set(p, out);
  return out;
}

const charLen = (s: string, i: number): number => {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
};

/**
 * Wildcard match of prepared `value` against prepared `pattern` ("*", "?", "\" escapes).
 * Returns the wildcard captures as [start, end) positions (RFC 5229 §3.2: ${1}…), or null
 * when it does not match.
 * Earlier wildcards take as little as possible.
 */
export function globMatch(pattern: string, value: string, host: Pick<MatchHost, 'tick'>): Array<[number, number]> | null {
  const tokens = compilePattern(pattern);
  const wild: number[] = []; // token index → wildcard number
  let w = 0;
  for (const t of tokens) wild.push(t.t === 'lit' ? -1 : w++);
  const capStart = new Array<number>(w).fill(0);
  const capEnd = new Array<number>(w).fill(0);
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = -1;
  let steps = 0;
  while (si < value.length || pi < tokens.length) {
    if (++steps >= 4096) {
      host.tick(steps);
      steps = 0;
    }
    const t = tokens[pi];
    if (t && si <= value.length) {
      if (t.t === 'star') {
        const k = wild[pi]!;
        capStart[k] = si;
        capEnd[k] = si;
        if (pi === tokens.length - 1) {
          capEnd[k] = value.length;
          si = value.length;
          pi++;
          continue;
        }
        starP = pi;
        starS = si;
        pi++;
        continue;
      }
      if (si < value.length) {
        if (t.t === 'one') {
          const k = wild[pi]!;
          const n = charLen(value, si);
          capStart[k] = si;
          capEnd[k] = si + n;
          si += n;
          pi++;
          continue;
        }
        if (value[si] === t.c) {
          si++;
          pi++;
          continue;
        }
      }
    }
    if (starP < 0 || starS >= value.length) {
      host.tick(steps);
      return null;
    }
    starS += charLen(value, starS);
    si = starS;
    pi = starP + 1;
    capEnd[wild[starP]!] = starS;
  }
  host.tick(steps);
  return capStart.map((s, k) => [s, capEnd[k]!]);
}

const keyCache = new WeakMap<readonly string[], Map<Comparator, string[]>>();

/** keys folded by the comparator; a constant key list (the same array each run) is folded once */
function preparedKeys(cmp: Comparator, keys: readonly string[]): string[] {
  let byCmp = keyCache.get(keys);
  if (!byCmp) keyCache.set(keys, (byCmp = new Map()));
  let p = byCmp.get(cmp);
  if (!p) byCmp.set(cmp, (p = keys.map((k) => cmp.prepare(k))));
  return p;
}

/**
 * True when any value matches any key (RFC 5228 §2.7.1). For :count the number of values
 * is compared. Match variables come from the original (unprepared) value.
 */
export function matchAny(m: Matcher, values: readonly string[], keys: readonly string[], host: MatchHost): boolean {
  const cmp = m.comparator;
  if (m.type === 'count') {
    const n = cmp.prepare(String(values.length));
    return keys.some((k) => relate(cmp.compare(n, cmp.prepare(k)), m.relation ?? 'eq'));
  }
  host.tick(values.length * keys.length + 1);
  const prepared = preparedKeys(cmp, keys);
  for (const value of values) {
    const v = cmp.prepare(value);
    for (const k of prepared) {
      switch (m.type) {
        case 'is':
          if (cmp.compare(v, k) === 0) return true;
          break;
        case 'value':
          if (relate(cmp.compare(v, k), m.relation ?? 'eq')) return true;
          break;
        case 'contains':
          host.tick(v.length >> 6);
          if (v.includes(k)) return true;
          break;
        case 'matches': {
          const caps = globMatch(k, v, host);
          if (caps) {
            // the comparators that allow :matches keep lengths, so the positions hold in the original value
            if (host.setMatches) host.setMatches([value, ...caps.map(([a, b]) => value.slice(a, b))]);
            return true;
          }
          break;
        }
      }
    }
  }
  return false;
}
