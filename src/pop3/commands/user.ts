/** USER name (RFC 1939 §7, optional command); refused before TLS unless allowed (RFC 2595 §4). */
import type { Pop3Command } from './types.js';
import { err, ok } from '../wire/response.js';
import { PLAINTEXT_REFUSED } from './login.js';

export const user: Pop3Command = {
  name: 'USER',
  states: ['AUTHORIZATION'],
  async run(s, cmd) {
    if (!s.plaintextAllowed()) {
      s.pendingUser = null;
      await s.write(err(PLAINTEXT_REFUSED, 'AUTH'));
      return;
    }
    const name = cmd.rest.trim();
    if (!name) {
      await s.badCommand(err('USER needs a login name'));
      return;
    }
    s.pendingUser = name;
    await s.write(ok('Send PASS'));
  },
};
