/**
 * AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959). Mechanisms come from
 * src/auth/sasl.ts; this file only carries the exchange: "+ challenge" lines out, one
 * base64 line per response in, "*" cancels (BAD).
 */
import { createSasl } from '../../auth/sasl.js';
import { completeLogin } from './login-common.js';
import { no, type ImapCommand } from '../session/types.js';
import { parseAuthenticateArgs } from '../wire/args/misc.js';
import { respCode } from '../wire/encode.js';

export const authenticateCmd: ImapCommand = {
  name: 'AUTHENTICATE',
  states: ['notauth'],
  async run(s, req) {
    // the SASL layer takes base64 as it travels: the wire parser checks the shape, we pass the text on
    const { mechanism: mech } = parseAuthenticateArgs(req.args);
    const irTok = req.args[1];
    const ir = irTok?.type === 'atom' ? irTok.value : undefined;
    if (!s.plaintextOk()) throw no('Authentication is disabled without TLS; use STARTTLS first', 'PRIVACYREQUIRED');
    const sasl = createSasl(mech);
    if (!sasl) throw no(`Unsupported authentication mechanism ${mech.slice(0, 20)}`, 'CANNOT');
    let step = sasl.start(ir);
    while (step.type === 'challenge') {
      s.challenge(step.data);
      const line = await s.readLine();
      if (line === null) return { status: 'NO', text: 'Connection closed', written: true };
      if (line.trim() === '*') return { status: 'BAD', text: 'Authentication cancelled' };
      step = sasl.next(line);
    }
    if (step.type === 'error') {
      s.log.info({ mech, reason: step.message }, 'imap AUTHENTICATE failed');
      return { status: 'NO', code: respCode('AUTHENTICATIONFAILED'), text: 'Authentication failed' };
    }
    return completeLogin(s, step.authcid, step.password);
  },
};
