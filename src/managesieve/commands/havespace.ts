/** HAVESPACE name size (RFC 5804 §2.5): whether PUTSCRIPT of that size would be accepted. */
import type { ManageSieveCommand } from '../session/session.js';
import { number, strings } from './args.js';
import { ok } from '../wire/response.js';

export const havespace: ManageSieveCommand = {
  name: 'HAVESPACE',
  states: ['AUTH'],
  async run(s, args) {
    const usage = 'HAVESPACE "name" size';
    const [name] = strings(args.slice(0, 1), 1, usage);
    const size = number(args[1], usage);
    if (args.length !== 2) return s.badCommand(`Usage: ${usage}`);
    await s.scripts.checkSpace(s.account!.id, name!, size);
    await s.write(ok('Putscript would succeed'));
  },
};
