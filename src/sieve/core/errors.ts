/**
 * The two error types of the Sieve module. Everything the parser, the checker and the
 * interpreter refuse is one of these; nothing else escapes (the fuzz test holds them to it).
 *
 * - SieveError: the script is wrong (syntax, unknown command, missing require, bad
 *   argument). Carries the line and column (1-based) of the offending token.
 * - SieveRuntimeError: the script was valid but failed while running (include not found,
 *   a limit reached, conflicting actions). Delivery then keeps the message in INBOX.
 */
export interface SourcePos {
  line: number;
  column: number;
}

export class SieveError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'SieveError';
  }

  /** the message without the position prefix */
  get reason(): string {
    return this.message.replace(/^line \d+, column \d+: /, '');
  }
}

export type RuntimeErrorKind = 'limit' | 'include' | 'conflict' | 'cpu' | 'internal';

export class SieveRuntimeError extends Error {
  constructor(
    message: string,
    readonly kind: RuntimeErrorKind = 'internal',
    readonly pos?: SourcePos,
  ) {
    super(pos ? `line ${pos.line}: ${message}` : message);
    this.name = 'SieveRuntimeError';
  }
}
