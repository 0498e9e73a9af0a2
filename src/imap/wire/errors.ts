/**
 * Errors raised by the pure wire layer. The session maps them to responses:
 * - code 'BAD'        → `tag BAD <message>` (syntax error, RFC 9051 §7.1.3)
 * - code 'BADCHARSET' → `tag NO [BADCHARSET (UTF-8 US-ASCII)] <message>` (RFC 9051 §7.1, SEARCH CHARSET)
 * - code 'TOOBIG'     → `tag NO [TOOBIG] <message>` (RFC 4469/7889 size limits)
 * - code 'LIMIT'      → `tag NO [LIMIT] <message>` (RFC 5530, e.g. too many ID pairs)
 * - code 'CANNOT'     → `tag NO [CANNOT] <message>` (well-formed but unusable argument, e.g. a
 *                       mailbox name that is a valid atom but not valid modified UTF-7)
 */
export type WireErrorCode = 'BAD' | 'BADCHARSET' | 'TOOBIG' | 'LIMIT' | 'CANNOT';

export class WireError extends Error {
  constructor(
    message: string,
    readonly code: WireErrorCode = 'BAD',
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** Throws a BAD WireError: used by argument parsers. */
export function bad(message: string): never {
  throw new WireError(message, 'BAD');
}
