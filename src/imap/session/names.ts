/** Mailbox names on the wire: modified UTF-7 for rev1 clients, UTF-8 otherwise (RFC 9051 §5.1, RFC 6855 §3) */
import { encodeMailboxName } from '../wire/args/mailbox.js';
import { astring, type WireValue } from '../wire/encode.js';
import type { ImapSession } from './types.js';

/** a mailbox name as this session's client reads it: an astring (atom, quoted string or literal) */
export function mailboxName(s: Pick<ImapSession, 'names'>, name: string): WireValue {
  return astring(encodeMailboxName(name, s.names));
}
