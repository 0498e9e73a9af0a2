/**
 * Fixed IMAP limits that protect the server from one client (DESIGN.md: "every size has a
 * limit with a clear error").
 *
 * - Before authentication a client has no business sending large literals: LOGIN and
 *   AUTHENTICATE carry a name and a password. RFC 7888 §5 advises servers to limit what
 *   they accept before login; we refuse literals above PRE_AUTH_LITERAL_MAX bytes then, so
 *   an anonymous connection cannot make us buffer literal_size (64 MiB) × 4 per command.
 * - Keywords (RFC 9051 §2.3.2) are stored with every message: at most
 *   MAX_KEYWORDS_PER_MESSAGE on one message, each at most MAX_KEYWORD_LENGTH characters;
 *   beyond that STORE/APPEND answer NO [LIMIT] (RFC 5530 §3) and change nothing.
 */
import { isKeyword } from './flags.js';

export const PRE_AUTH_LITERAL_MAX = 8 * 1024;
/** RFC 7888 LITERAL-: the largest non-synchronizing literal before login */
export const LITERAL_MINUS_MAX = 4096;
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
