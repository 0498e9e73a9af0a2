/** LOGIN (RFC 9051 §6.2.3): refused without TLS unless the configuration allows plaintext */
import { completeLogin } from './login-common.js';
import { no, type ImapCommand } from '../session/types.js';

export const loginCmd: ImapCommand = {
  name: 'LOGIN',
  states: ['notauth'],
  async run(s, req) {
    const a = s.args(req);
    const user = a.astring('user name');
    const pass = a.astring('password');
    a.end();
    if (!s.plaintextOk()) throw no('Plaintext login is disabled; use STARTTLS first', 'PRIVACYREQUIRED');
    return completeLogin(s, user, pass);
  },
};
