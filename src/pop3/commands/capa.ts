/**
 * CAPA (RFC 2449 §5), valid in AUTHORIZATION and TRANSACTION.
 *
 * - USER and SASL are listed only before login and only when plaintext login is allowed on
 *   this connection (TLS, or an address in auth.plaintext_allowed_from): RFC 2595 §4 asks not
 *   to advertise what would be refused. STLS only before TLS on a STARTTLS listener.
 * - EXPIRE NEVER (§6.7): the server never removes a message the client has not deleted.
 *   What happens to messages the client does DELE (kept recoverable, moved to Trash, hidden,
 *   expunged: pop3.delete_policy) is not expiry of messages left on the server.
 * - LOGIN-DELAY (§6.5) is in seconds; the configuration gives minutes.
 */
import type { Pop3Command } from './types.js';
import { multiline } from '../wire/response.js';
import type { Pop3Session } from '../session/session.js';

export function capabilities(s: Pop3Session): string[] {
  const caps = ['TOP', 'UIDL'];
  const beforeLogin = s.state === 'AUTHORIZATION';
  if (beforeLogin && s.plaintextAllowed()) caps.push('USER', 'SASL PLAIN LOGIN');
  caps.push('RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER');
  const delay = s.ctx.config.pop3.login_delay_min;
  if (delay > 0) caps.push(`LOGIN-DELAY ${delay * 60}`);
  caps.push('IMPLEMENTATION letterbox');
  if (s.canStartTls()) caps.push('STLS');
  return caps;
}

export const capa: Pop3Command = {
  name: 'CAPA',
  states: ['AUTHORIZATION', 'TRANSACTION'],
  async run(s) {
    await s.write(multiline('Capability list follows', capabilities(s)));
  },
};
