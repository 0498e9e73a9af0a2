/**
 * PASS string (RFC 1939 §7): the whole rest of the line is the password (spaces included).
 * A failed PASS forgets the USER, so the client starts again with USER.
 */
import type { Pop3Command } from './types.js';
import { err } from '../wire/response.js';
import { completeLogin, PLAINTEXT_REFUSED } from './login.js';

export const pass: Pop3Command = {
  name: 'PASS',
  states: ['AUTHORIZATION'],
  async run(s, cmd) {
    if (!s.plaintextAllowed()) {
      await s.write(err(PLAINTEXT_REFUSED, 'AUTH'));
      return;
    }
    const user = s.pendingUser;
    s.pendingUser = null;
    if (user === null) {
      await s.badCommand(err('Send USER first'));
      return;
    }
    if (cmd.rest.length === 0) {
      await s.badCommand(err('PASS needs a password'));
      return;
    }
    await completeLogin(s, user, cmd.rest, 'USER/PASS');
  },
};
