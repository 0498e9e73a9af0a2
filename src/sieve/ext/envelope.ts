/**
 * envelope (RFC 5228 §5.4): the SMTP envelope's "from" (MAIL FROM) and "to" (the RCPT TO
 * this copy is for). The null sender is the empty string for :all and no address else.
 */
import { matchAny, type Matcher } from '../core/match.js';
import type { Spec, TestSpec } from '../core/spec.js';
import { addressPart, splitAddress } from '../core/addresses.js';
import { ADDRESS_PART_TAGS, COMPARATOR_TAG, MATCH_TAGS, addressPartOf, compileMatcher, strings } from './common.js';

const PARTS = new Set(['from', 'to']);

const envelope: TestSpec = {
  kind: 'test',
  name: 'envelope',
  requires: 'envelope',
  tags: { ...COMPARATOR_TAG, ...MATCH_TAGS, ...ADDRESS_PART_TAGS },
  positional: ['list', 'list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
    node.data.part = addressPartOf(node);
    const a = node.positional[0]!;
    if (a.kind === 'list') for (const t of a.texts) if (!t.includes('${') && !PARTS.has(t.toLowerCase())) ctx.error(`unknown envelope part "${t}" (use "from" or "to")`, a.pos);
    if (a.kind === 'string' && !a.text.includes('${') && !PARTS.has(a.text.toLowerCase())) ctx.error(`unknown envelope part "${a.text}" (use "from" or "to")`, a.pos);
  },
  run(node, rt) {
    const part = node.data.part as ReturnType<typeof addressPartOf>;
    const values: string[] = [];
    for (const which of strings(node, 0, rt)) {
      const w = which.toLowerCase();
      if (!PARTS.has(w)) continue;
      const address = w === 'from' ? rt.env.envelope.from : rt.env.envelope.to;
      if (address === '') {
        if (part === 'all') values.push('');
        continue;
      }
      const [local, domain] = splitAddress(address);
      const p = addressPart(local, domain, part);
      if (p !== null) values.push(p);
    }
    return matchAny(node.data.matcher as Matcher, values, strings(node, 1, rt), rt);
  },
};

export const ENVELOPE: Spec[] = [envelope];
