/** STAT (RFC 1939 §5): "+OK count octets", messages marked deleted not counted. */
import type { Pop3Command } from './types.js';
import { ok } from '../wire/response.js';

export const stat: Pop3Command = {
  name: 'STAT',
  states: ['TRANSACTION'],
  async run(s) {
    const { count, octets } = s.login!.maildrop.stat();
    await s.write(ok(`${count} ${octets}`));
  },
};
