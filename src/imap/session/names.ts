/** Mailbox names on the wire: modified UTF-7 for rev1 clients, UTF-8 otherwise (RFC 9051 §5.1, RFC 6855 §3) */
import { encodeMailboxName } from '../wire/args/mailbox.js';
import { isQuotedSafe, quote, literal, encodeToString } from '../wire/encode.js';
import type { Session } from './session.js';

/** astring form of a mailbox name: a bare atom when possible, else quoted, else a literal */
export function encodeName(s: Session, name: string): string {
  const wire = encodeMailboxName(name, s.names);
  if (/^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~\]]+$/.test(wire) && wire.toUpperCase() !== 'NIL') return wire;
  return isQuotedSafe(wire, s.utf8) ? quote(wire) : encodeToString(literal(wire));
}
