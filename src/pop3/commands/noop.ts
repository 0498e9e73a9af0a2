/** NOOP (RFC 1939 §5). */
import type { Pop3Command } from './types.js';
import { ok } from '../wire/response.js';

export const noop: Pop3Command = {
  name: 'NOOP',
  states: ['TRANSACTION'],
  async run(s) {
    await s.write(ok());
  },
};
