/**
 * AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959). Mechanisms come from
 * src/auth/sasl.ts; this file only carries the exchange: "+ challenge" lines out, one
 * base64 line per response in, "*" cancels (BAD).
 */
import { createSasl } from '../../auth/sasl.js';
import { completeLogin } from './login-common.js';
import { no, type ImapCommand } from '../session/types.js';

export const authenticateCmd: ImapCommand = {
  name: 'AUTHENTICATE',
  states: ['notauth'],
  async run(s, req) {
    const a = s.args(req);
    const mech = a.atom('SASL mechanism').toUpperCase();
    const ir = a.done ? undefined : a.atom('initial response');
    a.end();
    if (!s.plaintextOk()) throw no('Authentication is disabled without TLS; use STARTTLS first', 'PRIVACYREQUIRED');
    const sasl = createSasl(mech);
    if (!sasl) throw no(`Unsupported authentication mechanism ${mech.slice(0, 20)}`, 'CANNOT');
    let step = sasl.start(ir);
    while (step.type === 'challenge') {
      s.write(`+ ${step.data}\r\n`);
      const line = await s.readLine();
      if (line === null) return { status: 'NO', text: 'Connection closed', written: true };
      if (line.trim() === '*') return { status: 'BAD', text: 'Authentication cancelled' };
      step = sasl.next(line);
    }
    if (step.type === 'error') {
      s.log.info({ mech, reason: step.message }, 'imap AUTHENTICATE failed');
      return { status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Authentication failed' };
    }
    return completeLogin(s, step.authcid, step.password);
  },
};
