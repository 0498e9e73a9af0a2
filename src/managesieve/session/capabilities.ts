/** RFC 5804 §1.7 capabilities: what the greeting, CAPABILITY and STARTTLS answer. */
import { CAPABILITY_LIST } from '../../sieve/index.js';
import type { ManageSieveSession } from './session.js';

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'];

export function capabilities(s: ManageSieveSession): Array<[string, string | null]> {
  const caps: Array<[string, string | null]> = [
    ['IMPLEMENTATION', 'letterbox'],
    // RFC 5804 §2.1: no mechanism that sends a password in the clear is offered before TLS
    ['SASL', s.state === 'NONAUTH' && s.plaintextAllowed() ? SASL_MECHANISMS.join(' ') : ''],
    ['SIEVE', CAPABILITY_LIST.join(' ')],
  ];
  if (s.canStartTls() && s.state === 'NONAUTH') caps.push(['STARTTLS', null]);
  caps.push(['MAXREDIRECTS', String(s.ctx.config.sieve.max_redirects)]);
  if (s.account) caps.push(['OWNER', s.account.address]);
  caps.push(['VERSION', '1.0']);
  return caps;
}
