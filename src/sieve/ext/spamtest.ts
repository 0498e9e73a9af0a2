/**
 * spamtest and spamtestplus (RFC 5235), fed from the delivery's spam verdict:
 *   no verdict            → "0" (not tested)
 *   score s, threshold t  → level 1 + round(9·s/t) clamped to 1…10; percent round(100·s/t) clamped to 0…100
 *   junk without a score  → "10" / "100";  clean without a score → "1" / "0"
 * Scripts compare with :value "ge" :comparator "i;ascii-numeric" (RFC 5235 §3.1).
 */
import { matchAny, type Matcher } from '../core/match.js';
import type { Spec, TestSpec } from '../core/spec.js';
import type { SpamVerdict } from '../core/types.js';
import { COMPARATOR_TAG, MATCH_TAGS, compileMatcher, strings } from './common.js';

export function spamValue(v: SpamVerdict | null | undefined, percent: boolean): string {
  if (!v) return '0';
  if (v.score === undefined || !v.threshold || v.threshold <= 0) return percent ? (v.junk ? '100' : '0') : v.junk ? '10' : '1';
  const ratio = Math.max(0, v.score) / v.threshold;
  if (percent) return String(Math.min(100, Math.round(100 * ratio)));
  return String(Math.min(10, Math.max(1, 1 + Math.round(9 * ratio))));
}

const spamtest: TestSpec = {
  kind: 'test',
  name: 'spamtest',
  requires: 'spamtest',
  tags: { percent: { requires: 'spamtestplus' }, ...COMPARATOR_TAG, ...MATCH_TAGS },
  positional: ['list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
  },
  run(node, rt) {
    const value = spamValue(rt.env.spam, node.tags.has('percent'));
    return matchAny(node.data.matcher as Matcher, [value], strings(node, 0, rt), rt);
  },
};

export const SPAMTEST: Spec[] = [spamtest];
