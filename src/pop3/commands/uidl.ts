/**
 * UIDL [msg] (RFC 1939 §7): "msg unique-id". The id is the message guid (stable forever,
 * kept across moves and POP3 restore) or, with pop3.uidl_format = "dovecot", Dovecot's
 * default "%08Xu%08Xv" for migrations (see ../maildrop.ts).
 */
import type { Pop3Command } from './types.js';
import { multiline, ok } from '../wire/response.js';
import { resolveMessage } from './args.js';

export const uidl: Pop3Command = {
  name: 'UIDL',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const drop = s.login!.maildrop;
    if (cmd.args.length > 0) {
      const m = await resolveMessage(s, cmd.args[0]);
      if (m) await s.write(ok(`${m.n} ${drop.uidl(m.entry)}`));
      return;
    }
    const lines = drop.visible().map(({ n, entry }) => `${n} ${drop.uidl(entry)}`);
    await s.write(multiline('Unique-ID listing follows', lines));
  },
};
