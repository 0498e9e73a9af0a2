/** DELE msg (RFC 1939 §5): marks only; the deletion happens at QUIT (UPDATE state). */
import type { Pop3Command } from './types.js';
import { ok } from '../wire/response.js';
import { resolveMessage } from './args.js';

export const dele: Pop3Command = {
  name: 'DELE',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const m = await resolveMessage(s, cmd.args[0]);
    if (!m) return;
    s.login!.maildrop.markDeleted(m.n);
    await s.write(ok(`Message ${m.n} deleted`));
  },
};
