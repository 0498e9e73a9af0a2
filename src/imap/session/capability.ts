/**
 * CAPABILITY lists (RFC 9051 §6.1.1, §7.2.2). Only what works is advertised.
 * Before TLS on a STARTTLS listener, plaintext logins are refused (LOGINDISABLED, no
 * AUTH=PLAIN) unless the configuration allows plaintext for this client (src/auth/policy.ts).
 */
import type { ImapSession as Session } from './types.js';

export function capabilities(s: Session): string[] {
  const caps = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE'];
  if (s.state === 'notauth') {
    if (s.info.startTls && !s.secure) caps.push('STARTTLS');
    if (s.plaintextOk()) caps.push('AUTH=PLAIN', 'AUTH=LOGIN');
    else caps.push('LOGINDISABLED');
    return caps;
  }
  caps.push(
    'NAMESPACE',
    'UIDPLUS',
    'MOVE',
    'UNSELECT',
    'CHILDREN',
    'LIST-EXTENDED',
    'LIST-STATUS',
    'SPECIAL-USE',
    'ESEARCH',
    'SEARCHRES',
    'SEARCH=FUZZY',
    `APPENDLIMIT=${s.appendLimit()}`,
    'MULTIAPPEND',
    'BINARY',
    'UTF8=ACCEPT',
    'CONDSTORE',
    'QRESYNC',
    'STATUS=SIZE',
  );
  return caps;
}
