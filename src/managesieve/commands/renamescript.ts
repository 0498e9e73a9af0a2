/** RENAMESCRIPT old new (RFC 5804 §2.11.1): an active script stays active. */
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { ok } from '../wire/response.js';

export const renamescript: ManageSieveCommand = {
  name: 'RENAMESCRIPT',
  states: ['AUTH'],
  async run(s, args) {
    const [from, to] = strings(args, 2, 'RENAMESCRIPT "old" "new"');
    await s.scripts.rename(s.account!.id, from!, to!);
    await s.write(ok('Renamed'));
  },
};
