/**
 * Shared by LOGIN and AUTHENTICATE: checks the password through ctx.auth (throttled) and
 * moves the session to the authenticated state. Response codes per RFC 5530:
 * AUTHENTICATIONFAILED, UNAVAILABLE (throttled or temporary failure).
 */
import { capabilities } from '../session/capability.js';
import { credentialId } from '../../auth/devices.js';
import type { ImapSession as Session } from '../session/types.js';
import type { Tagged } from '../session/types.js';
import { atom, respCode } from '../wire/encode.js';

export async function completeLogin(s: Session, username: string, password: string): Promise<Tagged> {
  const r = await s.ctx.auth.login(username, password, s.info.remoteAddress, { protocol: 'imap', client: s.client.name });
  if (!r.ok) {
    s.log.info({ user: username.slice(0, 100), reason: r.reason }, 'imap login failed');
    if (r.reason === 'throttled') return { status: 'NO', code: respCode('UNAVAILABLE'), text: 'Too many failed logins; try again later' };
    if (r.reason === 'temp') return { status: 'NO', code: respCode('UNAVAILABLE'), text: 'Temporary authentication failure; try again later' };
    return { status: 'NO', code: respCode('AUTHENTICATIONFAILED'), text: 'Invalid credentials' };
  }
  s.client.device = r.device;
  s.authenticated(r.account, credentialId(r.credential));
  s.log.info('imap login');
  return { status: 'OK', code: respCode('CAPABILITY', ...capabilities(s).map(atom)), text: 'Logged in' };
}
