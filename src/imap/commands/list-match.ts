/**
 * LIST pattern matching (RFC 9051 §6.3.9): reference + pattern, "*" matches anything,
 * "%" anything but the hierarchy delimiter; INBOX is case-insensitive.
 */
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { normaliseMailboxName } from '../session/args.js';

export function patternRegex(reference: string, pattern: string): RegExp {
  // the reference is prefixed as given (RFC 9051 §6.3.9); a pattern starting with the delimiter stands alone
  const full = normaliseMailboxName(pattern.startsWith(MAILBOX_DELIMITER) ? pattern.slice(1) : reference + pattern);
  let re = '';
  for (const ch of full) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += '[^/]*';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  if (/^inbox/i.test(full)) re = '(?:INBOX|[Ii][Nn][Bb][Oo][Xx])' + re.slice(5);
  return new RegExp(`^${re}$`, 'u');
}

/** every ancestor of a name: "a/b/c" → ["a", "a/b"] */
export function ancestors(name: string): string[] {
  const parts = name.split(MAILBOX_DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join(MAILBOX_DELIMITER));
  return out;
}
