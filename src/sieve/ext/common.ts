/**
 * Argument groups several tests share: :comparator (RFC 5228 §2.7.3), match types
 * (§2.7.1, relational :count/:value RFC 5231), address parts (§2.7.4, :user/:detail
 * RFC 5233) and :index/:last (RFC 5260 §6), with their compilation.
 */
import { COMPARATORS, RELATIONS, type Matcher, type MatchType, type Relation } from '../core/match.js';
import { tagValue, type CheckContext, type CheckedNode, type TagSpec } from '../core/spec.js';
import type { AddressPart } from '../core/addresses.js';

export const COMPARATOR_TAG: Record<string, TagSpec> = { comparator: { value: 'string', group: 'comparator' } };

export const MATCH_TAGS: Record<string, TagSpec> = {
  is: { group: 'match' },
  contains: { group: 'match' },
  matches: { group: 'match' },
  count: { value: 'string', group: 'match', requires: 'relational' },
  value: { value: 'string', group: 'match', requires: 'relational' },
};

export const ADDRESS_PART_TAGS: Record<string, TagSpec> = {
  all: { group: 'address-part' },
  localpart: { group: 'address-part' },
  domain: { group: 'address-part' },
  user: { group: 'address-part', requires: 'subaddress' },
  detail: { group: 'address-part', requires: 'subaddress' },
};

export const INDEX_TAGS: Record<string, TagSpec> = {
  index: { value: 'number', requires: 'index' },
  last: { requires: 'index' },
};

/** comparators available without require (RFC 5228 §2.7.3) */
const BUILT_IN = new Set(['i;octet', 'i;ascii-casemap']);

/** compiles comparator + match type into node.data.matcher */
export function compileMatcher(node: CheckedNode, ctx: CheckContext): Matcher {
  const cmpArg = tagValue(node, 'comparator');
  const cmpName = cmpArg && cmpArg.kind === 'string' ? cmpArg.text : 'i;ascii-casemap';
  const comparator = COMPARATORS.get(cmpName.toLowerCase());
  if (!comparator) return ctx.error(`unknown comparator "${cmpName}"`, cmpArg!.pos);
  if (!BUILT_IN.has(comparator.name) && !ctx.has(`comparator-${comparator.name}`))
    ctx.error(`comparator "${comparator.name}" needs require "comparator-${comparator.name}"`, cmpArg!.pos);
  let type: MatchType = 'is';
  let relation: Relation | null = null;
  for (const t of ['is', 'contains', 'matches', 'count', 'value'] as const) {
    const v = node.tags.get(t);
    if (!v) continue;
    type = t;
    if (v !== true) {
      const rel = v.kind === 'string' ? v.text.toLowerCase() : '';
      if (!RELATIONS.has(rel)) ctx.error(`":${t}" needs a relation: "gt", "ge", "lt", "le", "eq" or "ne"`, v.pos);
      relation = rel as Relation;
    }
  }
  if ((type === 'contains' || type === 'matches') && !comparator.substring)
    ctx.error(`comparator "${comparator.name}" does not allow ":${type}"`, node.pos);
  const m: Matcher = { type, relation, comparator };
  node.data.matcher = m;
  return m;
}


export function addressPartOf(node: CheckedNode): AddressPart {
  for (const p of ['localpart', 'domain', 'user', 'detail'] as const) if (node.tags.has(p)) return p;
  return 'all';
}

/** :index n [:last]: which occurrence of a header field (1-based), or null for all */
export function compileIndex(node: CheckedNode, ctx: CheckContext): void {
  const idx = tagValue(node, 'index');
  if (node.tags.has('last') && !idx) ctx.error('":last" needs ":index"', node.pos);
  if (idx && idx.kind === 'number') {
    if (idx.value < 1) ctx.error('":index" counts from 1', idx.pos);
    node.data.index = { n: idx.value, last: node.tags.has('last') };
  }
}

/** picks the :index occurrence from a field's values */
export function pickIndex<T>(node: CheckedNode, values: T[]): T[] {
  const idx = node.data.index as { n: number; last: boolean } | undefined;
  if (!idx) return values;
  const v = values[idx.last ? values.length - idx.n : idx.n - 1];
  return v === undefined ? [] : [v];
}

/** the string list of a bound argument, unexpanded */
export function list(node: CheckedNode, k: number): import('../core/strings.js').Str[] {
  const a = node.positional[k];
  if (!a) return [];
  if (a.kind === 'list') return a.values;
  if (a.kind === 'string') return [a.value];
  return [];
}

const constants = new WeakMap<CheckedNode, Array<string[] | null>>();

/**
 * The string list of positional argument k, expanded. A list without variables is the
 * same array every time (so matchAny can keep its case-folded keys).
 */
export function strings(node: CheckedNode, k: number, rt: { expandList(l: readonly import('../core/strings.js').Str[]): string[] }): string[] {
  let c = constants.get(node);
  if (!c) constants.set(node, (c = []));
  let v = c[k];
  if (v === undefined) {
    const l = list(node, k);
    v = c[k] = l.every((x) => typeof x === 'string') ? (l as string[]) : null;
  }
  return v ?? rt.expandList(list(node, k));
}
