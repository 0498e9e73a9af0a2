/** Helpers shared by CREATE and RENAME (RFC 9051 §6.3.4, §6.3.6). */
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { bad } from '../session/types.js';

/** a trailing delimiter declares intent to create children; it is not part of the name */
export function trimDelimiter(name: string): string {
  // RFC 9051 §6.3.4: a trailing delimiter declares intent to create children; it is not part of the name
  let n = name;
  while (n.endsWith(MAILBOX_DELIMITER)) n = n.slice(0, -1);
  if (!n) throw bad('Mailbox name is empty');
  return n;
}

