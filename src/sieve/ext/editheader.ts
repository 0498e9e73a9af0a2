/**
 * editheader (RFC 5293): addheader [:last] name value, and deleteheader [:index n [:last]]
 * [COMPARATOR] [MATCH-TYPE] name [value-patterns]. Later tests see the edits; each action
 * delivers the message as edited at the time it was taken. Received and Auto-Submitted
 * are protected (§6, RFC 3834 loop prevention): editing them is ignored with a note.
 * Non-ASCII values are RFC 2047-encoded; line breaks in a value become spaces.
 */
import { matchAny, type Matcher } from '../core/match.js';
import type { Runtime } from '../core/runtime.js';
import type { CheckContext, CommandSpec, Spec } from '../core/spec.js';
import type { SourcePos } from '../core/errors.js';
import { COMPARATOR_TAG, INDEX_TAGS, MATCH_TAGS, compileIndex, compileMatcher, strings } from './common.js';

const PROTECTED = new Set(['received', 'auto-submitted']);
// RFC 5322 §3.6.8 ftext
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]{1,997}$/;
const MAX_VALUE = 4096;

function checkName(name: string, pos: SourcePos, ctx: CheckContext): void {
  if (!name.includes('${') && !FIELD_NAME.test(name)) ctx.error(`"${name}" is not a valid header field name`, pos);
}

function allowed(rt: Runtime, name: string, what: string): boolean {
  if (!FIELD_NAME.test(name)) rt.fail(`${what}: "${name.slice(0, 100)}" is not a valid header field name`);
  if (!PROTECTED.has(name.toLowerCase())) return true;
  rt.notes.push(`${what} of the protected field ${name} ignored`);
  return false;
}

const addheader: CommandSpec = {
  kind: 'command',
  name: 'addheader',
  requires: 'editheader',
  tags: { last: {} },
  positional: ['string', 'string'],
  check(node, ctx) {
    const n = node.positional[0]!;
    if (n.kind === 'string') checkName(n.text, n.pos, ctx);
  },
  run(node, rt) {
    const [n, v] = node.positional;
    const name = n && n.kind === 'string' ? rt.expand(n.value) : '';
    if (!allowed(rt, name, 'addheader')) return;
    const value = (v && v.kind === 'string' ? rt.expand(v.value) : '').replace(/[\r\n]+/g, ' ').slice(0, MAX_VALUE);
    rt.view.add(name, value, node.tags.has('last'));
  },
};

const deleteheader: CommandSpec = {
  kind: 'command',
  name: 'deleteheader',
  requires: 'editheader',
  tags: { ...INDEX_TAGS, ...COMPARATOR_TAG, ...MATCH_TAGS },
  positional: ['string', 'list'],
  optional: { count: 1, from: 'trailing' },
  check(node, ctx) {
    compileMatcher(node, ctx);
    compileIndex(node, ctx);
    const n = node.positional[0]!;
    if (n.kind === 'string') checkName(n.text, n.pos, ctx);
  },
  run(node, rt) {
    const n = node.positional[0]!;
    const name = n.kind === 'string' ? rt.expand(n.value) : '';
    if (!allowed(rt, name, 'deleteheader')) return;
    const patterns = node.positional[1] ? strings(node, 1, rt) : null;
    const idx = node.data.index as { n: number; last: boolean } | undefined;
    const m = node.data.matcher as Matcher;
    rt.view.delete(name, (value, position, count) => {
      if (idx && position !== (idx.last ? count - idx.n + 1 : idx.n)) return false;
      return patterns === null || matchAny(m, [value], patterns, { tick: (u) => rt.tick(u), setMatches: null });
    });
  },
};

export const EDITHEADER: Spec[] = [addheader, deleteheader];
