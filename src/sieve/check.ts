/**
 * The checker: gives the syntax tree its meaning and compiles it (RFC 5228 §2.10.5,
 * §3.2): `require` first, every extension used must be required and supported, every
 * command and test known, arguments bound to the spec (tags before positional arguments,
 * one tag per group, values of the right kind), if/elsif/else chained. Every problem is a
 * SieveError with the line and column of the offending token.
 */
import type { Argument, CommandNode, TestNode } from './ast.js';
import { SieveError, type SourcePos } from './core/errors.js';
import { parse } from './parser.js';
import { COMMANDS, TESTS, CAPABILITIES } from './registry.js';
import type { ArgType, BoundArg, CheckContext, CheckedNode, Spec } from './core/spec.js';
import { compileVariables, decodeEncodedCharacters } from './core/strings.js';

export interface CompiledScript {
  capabilities: ReadonlySet<string>;
  commands: CheckedNode[];
}

export interface CompileOptions {
  /** capabilities a script may require (default: every supported one) */
  extensions?: ReadonlySet<string>;
}

/** parses and checks a script; throws SieveError */
export function compileScript(text: string, opts: CompileOptions = {}): CompiledScript {
  const tree = parse(text);
  const allowed = opts.extensions ?? CAPABILITIES;
  const capabilities = new Set<string>();
  let i = 0;
  for (; i < tree.length && tree[i]!.name === 'require'; i++) {
    const r = tree[i]!;
    const arg = r.args[0];
    if (r.args.length !== 1 || !arg || (arg.kind !== 'string' && arg.kind !== 'list') || r.tests.length || r.block)
      throw new SieveError('require takes one string or string list: require ["fileinto", "envelope"];', r.pos.line, r.pos.column);
    for (const cap of arg.kind === 'string' ? [arg.value] : arg.values) {
      if (!allowed.has(cap)) throw new SieveError(`unsupported extension "${cap}"`, arg.pos.line, arg.pos.column);
      capabilities.add(cap);
    }
  }
  // RFC 5235 §3.2: "spamtestplus" implies "spamtest"; RFC 6131 §2: "vacation-seconds" implies "vacation"
  if (capabilities.has('spamtestplus')) capabilities.add('spamtest');
  if (capabilities.has('vacation-seconds')) capabilities.add('vacation');

  const ctx: CheckContext = {
    capabilities,
    has: (c) => capabilities.has(c),
    error: (message: string, pos: SourcePos): never => {
      throw new SieveError(message, pos.line, pos.column);
    },
  };
  const encoded = capabilities.has('encoded-character');
  const variables = capabilities.has('variables');

  function str(s: string): { value: ReturnType<typeof compileVariables>; text: string } {
    const text = encoded ? decodeEncodedCharacters(s) : s;
    return { value: variables ? compileVariables(text) : text, text };
  }

  function bindArg(a: Exclude<Argument, { kind: 'tag' }>): BoundArg {
    if (a.kind === 'number') return { kind: 'number', value: a.value, pos: a.pos };
    if (a.kind === 'string') {
      const s = str(a.value);
      return { kind: 'string', value: s.value, text: s.text, pos: a.pos };
    }
    const items = a.values.map(str);
    return { kind: 'list', values: items.map((s) => s.value), texts: items.map((s) => s.text), pos: a.pos };
  }

  function typeOk(arg: BoundArg, want: ArgType): boolean {
    if (want === 'list') return arg.kind === 'list' || arg.kind === 'string';
    return arg.kind === want;
  }
  const typeName = (t: ArgType) => (t === 'list' ? 'a string list' : t === 'string' ? 'a string' : 'a number');

  function lookup(name: string, pos: SourcePos, kind: 'command' | 'test'): Spec {
    const spec = (kind === 'command' ? COMMANDS : TESTS).get(name);
    if (!spec) {
      const other = (kind === 'command' ? TESTS : COMMANDS).get(name);
      if (other) ctx.error(`"${name}" is a ${other.kind}, not a ${kind}`, pos);
      ctx.error(`unknown ${kind} "${name}"`, pos);
    }
    if (spec.requires && !capabilities.has(spec.requires)) ctx.error(`"${name}" needs require "${spec.requires}"`, pos);
    return spec;
  }

  function bind(n: TestNode, spec: Spec, block: CheckedNode[] | null): CheckedNode {
    const tags = new Map<string, BoundArg | true>();
    const groups = new Map<string, string>();
    const positional: BoundArg[] = [];
    const args = n.args;
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (a.kind === 'tag') {
        const ts = spec.tags?.[a.name];
        if (!ts) ctx.error(`unknown tag ":${a.name}" for "${n.name}"`, a.pos);
        if (ts.requires && !capabilities.has(ts.requires)) ctx.error(`":${a.name}" needs require "${ts.requires}"`, a.pos);
        if (positional.length) ctx.error(`":${a.name}" must come before the positional arguments of "${n.name}"`, a.pos);
        if (tags.has(a.name)) ctx.error(`":${a.name}" given twice`, a.pos);
        if (ts.group) {
          const prev = groups.get(ts.group);
          if (prev) ctx.error(`":${a.name}" and ":${prev}" cannot be used together`, a.pos);
          groups.set(ts.group, a.name);
        }
        if (ts.value) {
          const v = args[k + 1];
          if (!v || v.kind === 'tag') ctx.error(`":${a.name}" needs ${typeName(ts.value)} after it`, a.pos);
          const bound = bindArg(v);
          if (!typeOk(bound, ts.value)) ctx.error(`":${a.name}" needs ${typeName(ts.value)} after it`, v.pos);
          tags.set(a.name, bound);
          k++;
        } else tags.set(a.name, true);
        continue;
      }
      positional.push(bindArg(a));
    }
    const want = spec.positional;
    const optional = spec.optional?.count ?? 0;
    if (positional.length > want.length || positional.length < want.length - optional) {
      const at = positional[want.length]?.pos ?? n.pos;
      const count = optional ? `${want.length - optional} to ${want.length}` : String(want.length);
      ctx.error(`"${n.name}" takes ${count} positional argument${want.length === 1 && !optional ? '' : 's'}, got ${positional.length}`, at);
    }
    // align with the spec: leading optional arguments that were left out become holes
    const missing = want.length - positional.length;
    const aligned: BoundArg[] = spec.optional?.from === 'leading' && missing > 0 ? [...new Array<BoundArg>(missing), ...positional] : positional;
    aligned.forEach((arg, k) => {
      if (arg && !typeOk(arg, want[k]!)) ctx.error(`argument ${k + 1} of "${n.name}" must be ${typeName(want[k]!)}`, arg.pos);
    });

    const wantTests = spec.tests ?? 0;
    if (wantTests === 0 && n.tests.length) ctx.error(`"${n.name}" takes no test`, n.tests[0]!.pos);
    if (wantTests === 1 && (n.tests.length !== 1 || n.testList)) ctx.error(`"${n.name}" takes exactly one test`, n.tests[1]?.pos ?? n.pos);
    if (wantTests === 'list' && !n.testList) ctx.error(`"${n.name}" takes a list of tests in parentheses`, n.pos);
    const tests = n.tests.map(test);
    const node: CheckedNode = { spec, name: n.name, pos: n.pos, tags, positional: aligned, tests, block, data: {} };
    spec.check?.(node, ctx);
    return node;
  }

  function test(t: TestNode): CheckedNode {
    return bind(t, lookup(t.name, t.pos, 'test'), null);
  }

  function commands(list: CommandNode[], start: number): CheckedNode[] {
    const out: CheckedNode[] = [];
    let lastIf: CheckedNode | null = null;
    for (let k = start; k < list.length; k++) {
      const c = list[k]!;
      if (c.name === 'require') ctx.error('require must come before every other command', c.pos);
      const spec = lookup(c.name, c.pos, 'command');
      const wantsBlock = spec.kind === 'command' && spec.block === 'required';
      if (wantsBlock && !c.block) ctx.error(`"${c.name}" needs a block { ... }`, c.pos);
      if (!wantsBlock && c.block) ctx.error(`"${c.name}" takes no block; end it with ";"`, c.pos);
      const block = c.block ? commands(c.block, 0) : null;
      const node = bind(c, spec, block);
      if (c.name === 'elsif' || c.name === 'else') {
        if (!lastIf) ctx.error(`"${c.name}" must follow "if" or "elsif"`, c.pos);
        (lastIf.data.branches as Branch[]).push({ test: node.tests[0] ?? null, block: block ?? [] });
        lastIf = c.name === 'elsif' ? lastIf : null;
        continue;
      }
      if (c.name === 'if') {
        node.data.branches = [{ test: node.tests[0]!, block: block ?? [] }] satisfies Branch[];
        lastIf = node;
      } else lastIf = null;
      out.push(node);
    }
    return out;
  }

  return { capabilities, commands: commands(tree, i) };
}

export interface Branch {
  test: CheckedNode | null;
  block: CheckedNode[];
}

/** the checker's verdict, for ManageSieve CHECKSCRIPT/PUTSCRIPT and the CLI */
export function checkScript(text: string, opts: CompileOptions = {}): { ok: true } | { ok: false; error: SieveError } {
  try {
    compileScript(text, opts);
    return { ok: true };
  } catch (e) {
    if (e instanceof SieveError) return { ok: false, error: e };
    throw e;
  }
}
