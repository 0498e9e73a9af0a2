/**
 * Sieve parser: tokens (./lexer.ts) to the syntax tree (./ast.ts), following the grammar
 * of RFC 5228 §8.2. Purely syntactic; the checker gives the tree its meaning. Nesting is
 * bounded (MAX_NESTING) so a hostile script cannot exhaust the stack.
 */
import type { Argument, CommandNode, TestNode } from './ast.js';
import { SieveError, type SourcePos } from './core/errors.js';
import { tokenize, type Token } from './lexer.js';

/** blocks and tests nested deeper than this are refused */
export const MAX_NESTING = 64;

export function parse(src: string): CommandNode[] {
  const tokens = tokenize(src);
  let p = 0;
  const peek = (): Token => tokens[p]!;
  const next = (): Token => tokens[p++]!;
  const fail = (message: string, pos: SourcePos): never => {
    throw new SieveError(message, pos.line, pos.column);
  };
  const isPunct = (t: Token, v: string) => t.type === 'punct' && t.value === v;
  const describe = (t: Token): string =>
    t.type === 'eof' ? 'the end of the script' : t.type === 'string' ? 'a string' : t.type === 'number' ? `the number ${t.value}` : t.type === 'tag' ? `":${t.value}"` : `"${t.value}"`;

  function commands(depth: number, inBlock: boolean): CommandNode[] {
    const list: CommandNode[] = [];
    for (;;) {
      const t = peek();
      if (t.type === 'eof') {
        if (inBlock) fail('missing "}" at the end of a block', t.pos);
        return list;
      }
      if (inBlock && isPunct(t, '}')) return list;
      list.push(command(depth));
    }
  }

  function command(depth: number): CommandNode {
    const t = next();
    if (t.type !== 'identifier') return fail(`expected a command, found ${describe(t)}`, t.pos);
    const { args, tests, testList } = argumentsOf(depth);
    const end = next();
    if (isPunct(end, ';')) return { name: t.value, args, tests, testList, block: null, pos: t.pos };
    if (isPunct(end, '{')) {
      if (depth >= MAX_NESTING) fail(`blocks nested deeper than ${MAX_NESTING}`, end.pos);
      const block = commands(depth + 1, true);
      next(); // "}"
      return { name: t.value, args, tests, testList, block, pos: t.pos };
    }
    return fail(`expected ";" or "{" after the arguments of "${t.value}", found ${describe(end)}`, end.pos);
  }

  function argumentsOf(depth: number): { args: Argument[]; tests: TestNode[]; testList: boolean } {
    const args: Argument[] = [];
    for (;;) {
      const t = peek();
      if (t.type === 'string') {
        next();
        args.push({ kind: 'string', value: t.value, multiline: t.multiline, pos: t.pos });
      } else if (t.type === 'number') {
        next();
        args.push({ kind: 'number', value: t.value, pos: t.pos });
      } else if (t.type === 'tag') {
        next();
        args.push({ kind: 'tag', name: t.value, pos: t.pos });
      } else if (isPunct(t, '[')) {
        args.push(stringList());
      } else break;
    }
    const t = peek();
    if (t.type === 'identifier') return { args, tests: [test(depth + 1)], testList: false };
    if (isPunct(t, '(')) {
      next();
      const tests: TestNode[] = [];
      for (;;) {
        tests.push(test(depth + 1));
        const sep = next();
        if (isPunct(sep, ')')) break;
        if (!isPunct(sep, ',')) fail(`expected "," or ")" in a test list, found ${describe(sep)}`, sep.pos);
      }
      return { args, tests, testList: true };
    }
    return { args, tests: [], testList: false };
  }

  function test(depth: number): TestNode {
    const t = next();
    if (t.type !== 'identifier') return fail(`expected a test, found ${describe(t)}`, t.pos);
    if (depth >= MAX_NESTING) fail(`tests nested deeper than ${MAX_NESTING}`, t.pos);
    const { args, tests, testList } = argumentsOf(depth);
    return { name: t.value, args, tests, testList, pos: t.pos };
  }

  function stringList(): Argument {
    const open = next();
    const values: string[] = [];
    for (;;) {
      const s = next();
      if (s.type !== 'string') return fail(`expected a string in a string list, found ${describe(s)}`, s.pos);
      values.push(s.value);
      const sep = next();
      if (isPunct(sep, ']')) break;
      if (!isPunct(sep, ',')) fail(`expected "," or "]" in a string list, found ${describe(sep)}`, sep.pos);
    }
    return { kind: 'list', values, pos: open.pos };
  }

  return commands(0, false);
}
