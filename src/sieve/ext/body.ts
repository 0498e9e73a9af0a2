/**
 * body (RFC 5173): matches the body through the MIME index computed at delivery.
 *   :raw        the undecoded body after the header (§5.1)
 *   :content T  the decoded parts whose Content-Type is T ("text", "text/html", "" = every
 *               part); text parts are charset-decoded (§5.2)
 *   :text       (default) the text of every text part, HTML reduced to text (§5.3)
 * Each part is one value; at most about 1 MiB of text per part is looked at.
 */
import { decodeTransfer } from '../../mime/transfer.js';
import { partText, TEXT_CAP } from '../../mime/text.js';
import type { MimePart } from '../../mime/types.js';
import { matchAny, type Matcher } from '../core/match.js';
import type { Runtime } from '../core/runtime.js';
import { tagValue, type Spec, type TestSpec } from '../core/spec.js';
import { COMPARATOR_TAG, MATCH_TAGS, compileMatcher, strings } from './common.js';

function leaves(part: MimePart, out: MimePart[]): void {
  if (part.parts) for (const p of part.parts) leaves(p, out);
  else if (part.message) leaves(part.message, out);
  else out.push(part);
}

function contentOf(raw: Buffer, part: MimePart): string {
  if (part.type === 'text') return partText(raw, part);
  const body = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + 4 * TEXT_CAP));
  return (decodeTransfer(body, part.encoding) ?? body).toString('latin1');
}

function typeMatches(part: MimePart, wanted: string[]): boolean {
  return wanted.some((w) => {
    const t = w.toLowerCase().trim();
    if (t === '') return true;
    const slash = t.indexOf('/');
    return slash < 0 ? part.type === t : part.type === t.slice(0, slash) && part.subtype === t.slice(slash + 1);
  });
}

function bodyValues(node: Parameters<TestSpec['run']>[0], rt: Runtime): string[] {
  const raw = rt.env.message.raw;
  if (node.tags.has('raw')) {
    const start = rt.env.message.index().root.bodyStart;
    return [raw.subarray(start, Math.min(raw.length, start + 4 * TEXT_CAP)).toString('utf8')];
  }
  const parts: MimePart[] = [];
  leaves(rt.env.message.index().root, parts);
  const content = tagValue(node, 'content');
  const wanted = content && content.kind !== 'number' ? rt.expandList(content.kind === 'list' ? content.values : [content.value]) : null;
  const out: string[] = [];
  for (const p of parts) {
    if (wanted ? !typeMatches(p, wanted) : p.type !== 'text') continue;
    const text = contentOf(raw, p);
    rt.tick(text.length >> 6);
    out.push(text);
  }
  return out;
}

const body: TestSpec = {
  kind: 'test',
  name: 'body',
  requires: 'body',
  tags: {
    ...COMPARATOR_TAG,
    ...MATCH_TAGS,
    raw: { group: 'transform' },
    content: { value: 'list', group: 'transform' },
    text: { group: 'transform' },
  },
  positional: ['list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
  },
  run(node, rt) {
    return matchAny(node.data.matcher as Matcher, bodyValues(node, rt), strings(node, 0, rt), rt);
  },
};

export const BODY: Spec[] = [body];
