/**
 * Mailbox names (RFC 9051 §5.1, §9 "mailbox = "INBOX" / astring"):
 * - "INBOX" is case-insensitive and normalised to "INBOX" (also as the first level: "inbox/x" → "INBOX/x").
 * - rev1 sessions (no UTF8=ACCEPT / IMAP4rev2): names arrive in modified UTF-7 (RFC 3501 §5.1.3)
 *   and are decoded to UTF-8; rev2/UTF-8 sessions send UTF-8 as is.
 */
import { MAILBOX_DELIMITER } from '../../../store/types.js';
import { bad, WireError } from '../errors.js';
import { decodeMutf7, encodeMutf7 } from '../mutf7.js';
import type { Token } from '../tokens.js';
import { tokenText } from '../tokens.js';

export interface NameOptions {
  /** UTF-8 names (IMAP4rev2 or UTF8=ACCEPT enabled); false → modified UTF-7 */
  utf8: boolean;
}

/** "INBOX" case-insensitively, as the whole name or its first level. */
export function normalizeInbox(name: string): string {
  if (name.length >= 5 && name.slice(0, 5).toUpperCase() === 'INBOX' && (name.length === 5 || name[5] === MAILBOX_DELIMITER)) {
    return 'INBOX' + name.slice(5);
  }
  return name;
}

/**
 * Wire name → store name (decodes mUTF-7 for rev1, normalises INBOX). Throws WireError: a
 * name that is a valid astring but not valid modified UTF-7 is code CANNOT (NO, as RFC 3501
 * clients expect for a name the server cannot use), not a syntax error.
 */
export function decodeMailboxName(wire: string, opts: NameOptions): string {
  let name: string;
  try {
    name = opts.utf8 ? wire : decodeMutf7(wire);
  } catch (e) {
    throw e instanceof WireError ? new WireError(e.message, 'CANNOT') : e;
  }
  if (name.includes('\0') || /[\r\n]/.test(name)) bad('Mailbox name contains control characters');
  // the lexer decodes with replacement: U+FFFD here means the client sent bytes that are not
  // UTF-8 (RFC 9051 §5.1 / RFC 6855 §3: names are valid UTF-8); never store a mangled name
  if (name.includes('\uFFFD')) bad('Mailbox name is not valid UTF-8');
  return normalizeInbox(name);
}

/** Store name → wire name for responses (LIST, STATUS...): mUTF-7 for rev1 sessions. */
export function encodeMailboxName(name: string, opts: NameOptions): string {
  return opts.utf8 ? name : encodeMutf7(name);
}

/** A mailbox argument token (atom, quoted, literal) → store name. */
export function parseMailboxToken(t: Token | undefined, opts: NameOptions): string {
  const s = t && t.type !== 'list' && t.type !== 'section' ? tokenText(t) : undefined;
  if (s === undefined) bad('Expected a mailbox name');
  return decodeMailboxName(s, opts);
}
