/** LISTSCRIPTS (RFC 5804 §2.7): one line per script, the active one marked ACTIVE. */
import type { ManageSieveCommand } from '../session/session.js';
import { ok, str } from '../wire/response.js';
import { ArgError } from '../session/errors.js';

export const listscripts: ManageSieveCommand = {
  name: 'LISTSCRIPTS',
  states: ['AUTH'],
  async run(s, args) {
    if (args.length) throw new ArgError('Usage: LISTSCRIPTS');
    const list = await s.scripts.list(s.account!.id);
    await s.write(list.map((x) => `${str(x.name)}${x.active ? ' ACTIVE' : ''}\r\n`).join('') + ok());
  },
};
