/**
 * Fixed IMAP limits that protect the server from one client (DESIGN.md: "every size has a
 * limit with a clear error").
 *
 * - Before authentication a client has no business sending large literals: LOGIN and
 *   AUTHENTICATE carry a name and a password. RFC 7888 §5 advises servers to limit what
 *   they accept before login; we refuse literals above PRE_AUTH_LITERAL_MAX bytes then, so
 *   an anonymous connection cannot make us buffer literal_size (64 MiB) × 4 per command,
 *   nor split that into thousands of small literals (literalLimitProblem below).
 * - Keywords (RFC 9051 §2.3.2) are stored with every message: at most
 *   MAX_KEYWORDS_PER_MESSAGE on one message, each at most MAX_KEYWORD_LENGTH characters;
 *   beyond that STORE/APPEND answer NO [LIMIT] (RFC 5530 §3) and change nothing.
 */
import { isKeyword } from './flags.js';

export const PRE_AUTH_LITERAL_MAX = 8 * 1024;
/** RFC 7888 LITERAL-: the largest non-synchronizing literal before login */
export const LITERAL_MINUS_MAX = 4096;
/** literals in one command before authentication (LOGIN needs two) */
export const PRE_AUTH_LITERALS = 4;
/** literals in one command after authentication, APPEND excepted */
export const MAX_LITERALS_PER_COMMAND = 256;

/**
 * Why the literal just announced (the reader's running totals for its command) is refused,
 * or null. Before login: at most PRE_AUTH_LITERAL_MAX bytes and PRE_AUTH_LITERALS literals in
 * one command, however they are split (one LOGIN with 7,000 pieces of 8 KiB held 57 MiB).
 * After login, every command but APPEND (whose literals are messages, bounded by
 * limits.literal_size and APPENDLIMIT) may carry at most limits.line_length bytes of
 * literals in MAX_LITERALS_PER_COMMAND pieces, as Dovecot counts literals into its line limit.
 */
export function literalLimitProblem(
  authenticated: boolean,
  name: string,
  size: number,
  total: number,
  count: number,
  lineLength: number,
): string | null {
  if (!authenticated) {
    if (size > PRE_AUTH_LITERAL_MAX) return `Literal of ${size} bytes is over ${PRE_AUTH_LITERAL_MAX} before authentication`;
    if (total > PRE_AUTH_LITERAL_MAX || count > PRE_AUTH_LITERALS)
      return `Literals of one command may total ${PRE_AUTH_LITERAL_MAX} bytes in ${PRE_AUTH_LITERALS} pieces before authentication`;
    return null;
  }
  if (name === 'APPEND') return null;
  if (total > lineLength || count > MAX_LITERALS_PER_COMMAND)
    return `Literals of one ${name || 'command'} may total ${lineLength} bytes in ${MAX_LITERALS_PER_COMMAND} pieces (only APPEND carries more)`;
  return null;
}
export const MAX_KEYWORDS_PER_MESSAGE = 128;
export const MAX_KEYWORD_LENGTH = 256;

/** why a flag list (or the keywords a message would end up with) is over the limits; null when fine */
export function keywordLimitProblem(flags: Iterable<string>): string | null {
  let n = 0;
  const seen = new Set<string>();
  for (const f of flags) {
    if (!isKeyword(f)) continue;
    if (f.length > MAX_KEYWORD_LENGTH) return `Keyword longer than ${MAX_KEYWORD_LENGTH} characters`;
    const key = f.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (++n > MAX_KEYWORDS_PER_MESSAGE) return `More than ${MAX_KEYWORDS_PER_MESSAGE} keywords on one message`;
  }
  return null;
}
