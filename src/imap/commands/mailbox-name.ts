/** Helpers shared by CREATE and RENAME (RFC 9051 §6.3.4, §6.3.6). */
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { parseName } from '../session/access.js';
import { bad, no } from '../session/types.js';

/** a trailing delimiter declares intent to create children; it is not part of the name */
export function trimDelimiter(name: string): string {
  // RFC 9051 §6.3.4: a trailing delimiter declares intent to create children; it is not part of the name
  let n = name;
  while (n.endsWith(MAILBOX_DELIMITER)) n = n.slice(0, -1);
  if (!n) throw bad('Mailbox name is empty');
  return n;
}

/**
 * Mailboxes are created and renamed only among the user's own: names in the "Other Users"
 * namespace belong to other accounts (creating there would need the "k" right, RFC 4314 §4,
 * which this server does not hand out).
 */
export function refuseOtherUsers(name: string): void {
  if (parseName(name).kind !== 'personal') throw no('Mailboxes in other users\' namespace cannot be created or renamed', 'NOPERM');
}
