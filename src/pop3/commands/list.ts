/**
 * LIST [msg] (RFC 1939 §5): scan listings "msg octets"; octets are the size as sent
 * (CRLF-normalised, Pop3Entry.pop3Size), messages marked deleted are left out.
 */
import type { Pop3Command } from './types.js';
import { multiline, ok } from '../wire/response.js';
import { resolveMessage } from './args.js';

export const list: Pop3Command = {
  name: 'LIST',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const drop = s.login!.maildrop;
    if (cmd.args.length > 0) {
      const m = await resolveMessage(s, cmd.args[0]);
      if (m) await s.write(ok(`${m.n} ${m.entry.pop3Size}`));
      return;
    }
    const { count, octets } = drop.stat();
    const lines = drop.visible().map(({ n, entry }) => `${n} ${entry.pop3Size}`);
    await s.write(multiline(`${count} messages (${octets} octets)`, lines));
  },
};
