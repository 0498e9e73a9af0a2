/**
 * imap4flags (RFC 5232): setflag / addflag / removeflag on the internal flags variable or
 * a named variable, the hasflag test, and :flags on keep and fileinto. Without :flags,
 * keep, fileinto and the implicit keep use the internal variable's current flags (§3).
 * Flags are space-separated; system flags are spelled as IMAP spells them; \Recent and
 * strings that are not IMAP atoms are left out.
 */
import { matchAny, type Matcher } from '../core/match.js';
import type { Runtime } from '../core/runtime.js';
import { tagValue, type CheckedNode, type CommandSpec, type Spec, type TagSpec, type TestSpec } from '../core/spec.js';
import { COMPARATOR_TAG, MATCH_TAGS, compileMatcher, strings } from './common.js';
import { checkVariableName } from './variables.js';

export const FLAGS_TAG: Record<string, TagSpec> = { flags: { value: 'list', requires: 'imap4flags' } };

const SYSTEM = new Map(['\\seen', '\\answered', '\\flagged', '\\deleted', '\\draft'].map((f) => [f, '\\' + f[1]!.toUpperCase() + f.slice(2)]));
// RFC 9051 atom: no ( ) { SP CTL % * " \ ]  (a keyword may not start with "\")
// eslint-disable-next-line no-control-regex
const KEYWORD = /^[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

/** the flags named in some strings, normalised and without duplicates */
export function parseFlags(strings: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of strings) {
    for (const f of s.split(/[ \t\r\n]+/)) {
      if (!f) continue;
      const sys = SYSTEM.get(f.toLowerCase());
      const flag = sys ?? (f.startsWith('\\') ? null : KEYWORD.test(f) && f.length <= 256 ? f : null);
      if (!flag || seen.has(flag.toLowerCase())) continue;
      seen.add(flag.toLowerCase());
      out.push(flag);
    }
  }
  return out;
}

/** the flags an action files with: :flags when given, else the internal variable */
export function actionFlags(node: CheckedNode, rt: Runtime): string[] {
  const f = tagValue(node, 'flags');
  if (f && f.kind !== 'number') return parseFlags(rt.expandList(f.kind === 'list' ? f.values : [f.value]));
  return rt.scope.capabilities.has('imap4flags') ? [...rt.flags] : [];
}

function current(rt: Runtime, variable: string | null): string[] {
  return variable === null ? rt.flags : parseFlags([rt.getVariable(variable)]);
}

function store(rt: Runtime, variable: string | null, flags: string[]): void {
  if (variable === null) rt.flags = flags;
  else rt.setVariable(variable, flags.join(' '));
}

function flagCommand(name: string, op: (have: string[], given: string[]) => string[]): CommandSpec {
  return {
    kind: 'command',
    name,
    requires: 'imap4flags',
    positional: ['string', 'list'],
    optional: { count: 1, from: 'leading' },
    check(node, ctx) {
      const v = node.positional[0];
      if (v) {
        if (!ctx.has('variables')) ctx.error(`"${name}" with a variable name needs require "variables"`, v.pos);
        if (v.kind === 'string') checkVariableName(v.text, v.pos, ctx);
      }
    },
    run(node, rt) {
      const v = node.positional[0];
      const variable = v && v.kind === 'string' ? v.text.toLowerCase() : null;
      const given = parseFlags(strings(node, 1, rt));
      store(rt, variable, op(current(rt, variable), given));
    },
  };
}

const lower = (flags: string[]) => new Set(flags.map((f) => f.toLowerCase()));

const hasflag: TestSpec = {
  kind: 'test',
  name: 'hasflag',
  requires: 'imap4flags',
  tags: { ...COMPARATOR_TAG, ...MATCH_TAGS },
  positional: ['list', 'list'],
  optional: { count: 1, from: 'leading' },
  check(node, ctx) {
    compileMatcher(node, ctx);
    const v = node.positional[0];
    if (v && v.kind === 'list') for (let k = 0; k < v.texts.length; k++) checkVariableName(v.texts[k]!, v.pos, ctx);
  },
  run(node, rt) {
    const v = node.positional[0];
    const names = v && v.kind === 'list' ? v.texts.map((t) => t.toLowerCase()) : v && v.kind === 'string' ? [v.text.toLowerCase()] : null;
    const have = names ? names.flatMap((n) => current(rt, n)) : rt.flags;
    const keys = strings(node, 1, rt).flatMap((k) => k.split(/[ \t]+/).filter(Boolean));
    return matchAny(node.data.matcher as Matcher, have, keys, rt);
  },
};

export const IMAP4FLAGS: Spec[] = [
  flagCommand('setflag', (_have, given) => given),
  flagCommand('addflag', (have, given) => parseFlags([...have, ...given])),
  flagCommand('removeflag', (have, given) => {
    const drop = lower(given);
    return have.filter((f) => !drop.has(f.toLowerCase()));
  }),
  hasflag,
];
