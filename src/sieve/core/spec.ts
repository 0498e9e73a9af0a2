/**
 * How commands and tests are declared. Each extension file (./ext/*.ts) exports specs;
 * ./registry.ts collects them. The checker (./check.ts) binds a node's arguments to its
 * spec (tags, positional arguments, tests, block) and calls the spec's `check` to compile
 * what it can; the interpreter (./interpreter.ts) calls `run`.
 */
import type { SourcePos } from './errors.js';
import type { Runtime } from './runtime.js';
import type { Str } from './strings.js';

/** "list" also accepts a single string (RFC 5228 §2.4.2.1) */
export type ArgType = 'string' | 'list' | 'number';

export interface TagSpec {
  /** the argument that follows the tag */
  value?: ArgType;
  /** tags of one group exclude each other (match type, comparator, address part, …) */
  group?: string;
  /** capability that must be required to use this tag */
  requires?: string;
}

interface SpecBase {
  name: string;
  /** capability that must be required (null: part of the base language) */
  requires: string | null;
  tags?: Record<string, TagSpec>;
  positional: ArgType[];
  /** positional arguments that may be left out: from the front ("leading") or the end ("trailing") */
  optional?: { count: number; from: 'leading' | 'trailing' };
  /** further checks and compilation once the arguments are bound */
  check?(node: CheckedNode, ctx: CheckContext): void;
}

export interface CommandSpec extends SpecBase {
  kind: 'command';
  /** number of tests the command takes: 0, 1 (if/elsif) */
  tests?: 0 | 1;
  block?: 'none' | 'required';
  /** what the command does; control commands (if, stop, include…) are run by the interpreter itself */
  run?(node: CheckedNode, rt: Runtime): void | Promise<void>;
}

export interface TestSpec extends SpecBase {
  kind: 'test';
  /** "list": allof/anyof; 1: not; 0: everything else */
  tests?: 0 | 1 | 'list';
  run(node: CheckedNode, rt: Runtime): boolean | Promise<boolean>;
}

export type Spec = CommandSpec | TestSpec;

/** An argument after binding: strings compiled to templates when variables are in use. */
export type BoundArg =
  | { kind: 'string'; value: Str; text: string; pos: SourcePos }
  | { kind: 'list'; values: Str[]; texts: string[]; pos: SourcePos }
  | { kind: 'number'; value: number; pos: SourcePos };

export interface CheckedNode {
  spec: Spec;
  name: string;
  pos: SourcePos;
  /** tag name (without ":") → its value, or true for a tag without one */
  tags: Map<string, BoundArg | true>;
  positional: BoundArg[];
  tests: CheckedNode[];
  block: CheckedNode[] | null;
  /** whatever the spec's check compiled (matcher, branches, …) */
  data: Record<string, unknown>;
}

export interface CheckContext {
  /** capabilities named by require */
  capabilities: ReadonlySet<string>;
  has(capability: string): boolean;
  error(message: string, pos: SourcePos): never;
}

/** helpers for specs */
export function tagValue(node: CheckedNode, tag: string): BoundArg | undefined {
  const v = node.tags.get(tag);
  return v === true ? undefined : v;
}
