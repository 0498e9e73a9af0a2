/**
 * CAPABILITY lists (RFC 9051 §6.1.1, §7.2.2). Only what works is advertised.
 * Before TLS on a STARTTLS listener, plaintext logins are refused (LOGINDISABLED, no
 * AUTH=PLAIN) unless the configuration allows plaintext for this client (src/auth/policy.ts).
 */
import type { ImapSession as Session } from './types.js';
import { RIGHTS_CAPABILITY } from '../../store/acl-rights.js';

/** RFC 9208 resources counted by ../commands/quota-root.ts (QUOTA=RES-<name>); MESSAGE has no limit here */
export const QUOTA_RESOURCES = ['STORAGE', 'MAILBOX'] as const;

export function capabilities(s: Session): string[] {
  // RFC 7888: before login non-synchronizing literals are limited to 4096 bytes (LITERAL-,
  // as §5 advises for unauthenticated clients), after login unlimited (LITERAL+)
  const caps = ['IMAP4rev1', 'IMAP4rev2', s.state === 'notauth' ? 'LITERAL-' : 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE'];
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
    'CREATE-SPECIAL-USE', // RFC 6154 §3
    'ESEARCH',
    'SEARCHRES',
    'SEARCH=FUZZY',
    'WITHIN', // RFC 5032
    `APPENDLIMIT=${s.appendLimit()}`,
    'MULTIAPPEND',
    'BINARY',
    'UTF8=ACCEPT',
    'CONDSTORE',
    'QRESYNC',
    'STATUS=SIZE',
    // RFC 5256, RFC 5957, RFC 5267 §3 (ESORT), RFC 9394
    'SORT',
    'SORT=DISPLAY',
    'THREAD=ORDEREDSUBJECT',
    'THREAD=REFERENCES',
    'THREAD=REFS',
    'ESORT',
    'PARTIAL',
    'CONTEXT=SEARCH', // RFC 5267 §4
    'CONTEXT=SORT',
    'UNAUTHENTICATE', // RFC 8437
    'OBJECTID', // RFC 8474
    'PREVIEW', // RFC 8970
    'COMPRESS=DEFLATE', // RFC 4978
    'REPLACE', // RFC 8508
    'SAVEDATE', // RFC 8514
    'UIDONLY', // RFC 9586
    'UIDBATCHES', // RFC 10022
    'INPROGRESS', // RFC 9585
    'NOTIFY', // RFC 5465
    'CATENATE', // RFC 4469
    'URLAUTH', // RFC 4467
    'URLAUTH=BINARY', // RFC 5524
    // RFC 9208; SETQUOTA for administrators (../commands/setquota.ts)
    'QUOTA',
    ...QUOTA_RESOURCES.map((r) => `QUOTA=RES-${r}`),
    'QUOTASET',
    'ACL', // RFC 4314
    RIGHTS_CAPABILITY, // RFC 4314 §5.1.1
    'LIST-MYRIGHTS', // RFC 8440
    'METADATA', // RFC 5464: mailbox and server entries (../commands/metadata-entries.ts)
    'METADATA-SERVER',
    'MULTISEARCH', // RFC 7377 (../commands/esearch.ts)
  );
  return caps;
}
