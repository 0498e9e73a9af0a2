/**
 * variables (RFC 5229): "set" with its modifiers (§4, applied by precedence: :lower/:upper,
 * then :lowerfirst/:upperfirst, then :quotewildcard, then :length), the "string" test
 * (§5), and ${name} / ${N} expansion (compiled in ../core/strings.ts, expanded by the runtime).
 */
import type { SourcePos } from '../core/errors.js';
import { matchAny, type Matcher } from '../core/match.js';
import type { CheckContext, CommandSpec, Spec, TestSpec } from '../core/spec.js';
import { quoteWildcard } from '../core/strings.js';
import { COMPARATOR_TAG, MATCH_TAGS, compileMatcher, strings } from './common.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkVariableName(name: string, pos: SourcePos, ctx: CheckContext): void {
  if (!NAME.test(name)) ctx.error(`"${name}" is not a valid variable name`, pos);
}

const asciiUpper = (s: string) => s.replace(/[a-z]+/g, (c) => c.toUpperCase());
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());

const MODIFIERS: Array<[string, number, (s: string) => string]> = [
  ['lower', 40, asciiLower],
  ['upper', 40, asciiUpper],
  ['lowerfirst', 30, (s) => asciiLower(s.slice(0, 1)) + s.slice(1)],
  ['upperfirst', 30, (s) => asciiUpper(s.slice(0, 1)) + s.slice(1)],
  ['quotewildcard', 20, quoteWildcard],
  ['length', 10, (s) => String([...s].length)],
];

const set: CommandSpec = {
  kind: 'command',
  name: 'set',
  requires: 'variables',
  tags: Object.fromEntries(MODIFIERS.map(([m, prec]) => [m, { group: `modifier${prec}` }])),
  positional: ['string', 'string'],
  check(node, ctx) {
    const name = node.positional[0]!;
    if (name.kind === 'string') checkVariableName(name.text, name.pos, ctx);
    node.data.name = name.kind === 'string' ? name.text.toLowerCase() : '';
    node.data.modifiers = MODIFIERS.filter(([m]) => node.tags.has(m))
      .sort((a, b) => b[1] - a[1])
      .map(([, , f]) => f);
  },
  run(node, rt) {
    const v = node.positional[1]!;
    let value = v.kind === 'string' ? rt.expand(v.value) : '';
    for (const f of node.data.modifiers as Array<(s: string) => string>) value = f(value);
    rt.setVariable(node.data.name as string, value);
  },
};

const string: TestSpec = {
  kind: 'test',
  name: 'string',
  requires: 'variables',
  tags: { ...COMPARATOR_TAG, ...MATCH_TAGS },
  positional: ['list', 'list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
  },
  run(node, rt) {
    // RFC 5229 §5: for :count, empty strings are not counted
    const m = node.data.matcher as Matcher;
    let values = strings(node, 0, rt);
    if (m.type === 'count') values = values.filter((s) => s !== '');
    return matchAny(m, values, strings(node, 1, rt), rt);
  },
};

export const VARIABLES: Spec[] = [set, string];
