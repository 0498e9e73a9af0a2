/**
 * The Sieve syntax tree (RFC 5228 §8.2 grammar), before any meaning is attached:
 *   command = identifier arguments (";" / block);  test = identifier arguments
 *   arguments = *argument [test / test-list];  argument = string-list / number / tag
 * The checker (./check.ts) validates it against the command and test specifications.
 */
import type { SourcePos } from './core/errors.js';

export type Argument =
  | { kind: 'string'; value: string; multiline: boolean; pos: SourcePos }
  | { kind: 'list'; values: string[]; pos: SourcePos }
  | { kind: 'number'; value: number; pos: SourcePos }
  | { kind: 'tag'; name: string; pos: SourcePos };

export interface TestNode {
  name: string;
  args: Argument[];
  tests: TestNode[];
  /** true when the tests were written as a parenthesised test-list */
  testList: boolean;
  pos: SourcePos;
}

export interface CommandNode extends TestNode {
  /** the { ... } block, or null when the command ended with ";" */
  block: CommandNode[] | null;
}
