/** DELETESCRIPT name (RFC 5804 §2.10): the active script is refused with (ACTIVE). */
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { ok } from '../wire/response.js';

export const deletescript: ManageSieveCommand = {
  name: 'DELETESCRIPT',
  states: ['AUTH'],
  async run(s, args) {
    const [name] = strings(args, 1, 'DELETESCRIPT "name"');
    await s.scripts.delete(s.account!.id, name!);
    s.log.info({ user: s.account!.address, script: name }, 'Sieve script deleted');
    await s.write(ok('Deleted'));
  },
};
