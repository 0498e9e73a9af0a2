/** STLS (RFC 2595 §4): AUTHORIZATION only, once, on STARTTLS listeners. */
import type { Pop3Command } from './types.js';
import { err } from '../wire/response.js';

export const stls: Pop3Command = {
  name: 'STLS',
  states: ['AUTHORIZATION'],
  async run(s) {
    if (s.secure) {
      await s.write(err('Already using TLS'));
      return;
    }
    if (!s.canStartTls()) {
      await s.write(err('STLS is not offered on this port'));
      return;
    }
    await s.startTls();
  },
};
