/** ID (RFC 2971): logs what the client says about itself, answers with our name */
import { ANY_STATE, type ImapCommand } from '../session/types.js';
import { parseIdArgs } from '../wire/args/misc.js';
import { atom } from '../wire/encode.js';

export const idCmd: ImapCommand = {
  name: 'ID',
  states: ANY_STATE,
  async run(s, req) {
    const pairs = parseIdArgs(req.args);
    if (pairs) {
      s.log.info({ client: Object.fromEntries(pairs.map(([k, v]) => [k, v?.slice(0, 200) ?? null])) }, 'imap client identified itself');
      const field = (k: string) => pairs.find(([key]) => key.toLowerCase() === k)?.[1] ?? null;
      const name = [field('name'), field('version')].filter((x) => x).join(' ');
      if (name) {
        s.registration.setClientName(name);
        s.client.name = name;
        if (s.account && s.client.device) void s.ctx.auth.identify(s.account.id, s.client.device, name);
      }
    }
    s.untagged(atom('ID'), ['name', 'letterbox', 'vendor', 'letterbox']);
  },
};
