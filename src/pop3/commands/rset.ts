/**
 * RSET (RFC 1939 §5): unmarks every message marked deleted in this session, and (as Dovecot's
 * RSET) forgets which messages RETR sent, so they are not marked \Seen at QUIT.
 */
import type { Pop3Command } from './types.js';
import { ok } from '../wire/response.js';

export const rset: Pop3Command = {
  name: 'RSET',
  states: ['TRANSACTION'],
  async run(s) {
    const drop = s.login!.maildrop;
    drop.reset();
    const { count, octets } = drop.stat();
    await s.write(ok(`Maildrop has ${count} messages (${octets} octets)`));
  },
};
