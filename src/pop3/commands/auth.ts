/**
 * AUTH mechanism [initial-response] (RFC 5034 §4) over the shared SASL layer
 * (src/auth/sasl.ts). Server challenges are "+ base64"; the client answers one line per
 * challenge, "*" cancels. "AUTH" alone lists the mechanisms (the informal listing many
 * clients probe with; RFC 2449 CAPA "SASL" is the standard way).
 * PLAIN and LOGIN carry the password in the clear, so they obey the plaintext policy.
 */
import type { Pop3Command } from './types.js';
import { err, continuation, multiline } from '../wire/response.js';
import { createSasl } from '../../auth/sasl.js';
import { completeLogin, PLAINTEXT_REFUSED } from './login.js';

const MECHANISMS = ['PLAIN', 'LOGIN'];

export const auth: Pop3Command = {
  name: 'AUTH',
  states: ['AUTHORIZATION'],
  async run(s, cmd) {
    if (!s.plaintextAllowed()) {
      await s.write(err(PLAINTEXT_REFUSED, 'AUTH'));
      return;
    }
    const mech = cmd.args[0]?.toUpperCase();
    if (mech === undefined) {
      await s.write(multiline('Supported SASL mechanisms follow', MECHANISMS));
      return;
    }
    const sasl = MECHANISMS.includes(mech) ? createSasl(mech) : null;
    if (!sasl) {
      await s.write(err(`Unsupported SASL mechanism ${mech.slice(0, 20)}; use PLAIN or LOGIN`));
      return;
    }
    let step = sasl.start(cmd.args[1]);
    for (;;) {
      if (step.type === 'error') {
        s.log.info({ mech, reason: step.message }, 'POP3 AUTH exchange failed');
        await s.write(err(`Authentication failed: ${step.message}`, 'AUTH'));
        return;
      }
      if (step.type === 'done') {
        if (step.authzid !== '' && step.authzid !== step.authcid) {
          await s.write(err('Logging in as another user (authorization identity) is not supported', 'AUTH'));
          return;
        }
        await completeLogin(s, step.authcid, step.password, `AUTH ${mech}`);
        return;
      }
      await s.write(continuation(step.data));
      const line = await s.readLine();
      if (line === null) return;
      if (line.trim() === '*') {
        await s.write(err('Authentication cancelled'));
        return;
      }
      step = sasl.next(line.trim());
    }
  },
};
