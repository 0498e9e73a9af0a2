/**
 * include (RFC 6609): include [:personal / :global] [:once] [:optional] name, return,
 * and global (shared variables, needs "variables"). The interpreter loads and runs the
 * included script (./interpreter.ts); here are the declarations and their checks.
 * Include names are script names: no "/", no control characters (§3.2).
 */
import type { CommandSpec, Spec } from '../core/spec.js';
import { checkVariableName } from './variables.js';

// eslint-disable-next-line no-control-regex
export const SCRIPT_NAME = /^[^/\x00-\x1f\x7f]{1,255}$/;

const include: CommandSpec = {
  kind: 'command',
  name: 'include',
  requires: 'include',
  tags: { personal: { group: 'location' }, global: { group: 'location' }, once: {}, optional: {} },
  positional: ['string'],
  check(node, ctx) {
    const a = node.positional[0]!;
    // RFC 6609 §3.2: the name is a constant (variables are not expanded in it)
    if (a.kind === 'string') {
      if (!SCRIPT_NAME.test(a.text)) ctx.error(`"${a.text}" is not a valid script name`, a.pos);
      node.data.script = a.text;
    }
    node.data.location = node.tags.has('global') ? 'global' : 'personal';
  },
};

const ret: CommandSpec = { kind: 'command', name: 'return', requires: 'include', positional: [] };

const global: CommandSpec = {
  kind: 'command',
  name: 'global',
  requires: 'include',
  positional: ['list'],
  check(node, ctx) {
    if (!ctx.has('variables')) ctx.error('"global" needs require "variables"', node.pos);
    const a = node.positional[0]!;
    const names = a.kind === 'list' ? a.texts : a.kind === 'string' ? [a.text] : [];
    for (const n of names) checkVariableName(n, a.pos, ctx);
    node.data.names = names.map((n) => n.toLowerCase());
  },
  run(node, rt) {
    for (const n of node.data.names as string[]) rt.scope.globals.add(n);
  },
};

export const INCLUDE: Spec[] = [include, ret, global];
