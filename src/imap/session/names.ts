/** Mailbox names on the wire: modified UTF-7 for rev1 clients, UTF-8 otherwise (RFC 9051 §5.1, RFC 6855 §3) */
import { astr } from './encode.js';
import { encodeMutf7 } from '../wire/mutf7.js';
import type { Session } from './session.js';

export function encodeName(s: Session, name: string): string {
  return s.utf8 ? astr(name, true) : astr(encodeMutf7(name));
}
