/** LOGIN (RFC 9051 §6.2.3): refused without TLS unless the configuration allows plaintext */
import { completeLogin } from './login-common.js';
import { no, type ImapCommand } from '../session/types.js';
import { parseLoginArgs } from '../wire/args/misc.js';

export const loginCmd: ImapCommand = {
  name: 'LOGIN',
  states: ['notauth'],
  async run(s, req) {
    const { username, password } = parseLoginArgs(req.args);
    if (!s.plaintextOk()) throw no('Plaintext login is disabled; use STARTTLS first', 'PRIVACYREQUIRED');
    return completeLogin(s, username, password);
  },
};
