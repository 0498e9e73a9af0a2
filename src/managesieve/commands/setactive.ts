/** SETACTIVE name (RFC 5804 §2.8); "" deactivates every script. */
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { ok } from '../wire/response.js';

export const setactive: ManageSieveCommand = {
  name: 'SETACTIVE',
  states: ['AUTH'],
  async run(s, args) {
    const [name] = strings(args, 1, 'SETACTIVE "name"');
    await s.scripts.setActive(s.account!.id, name!);
    s.log.info({ user: s.account!.address, script: name || null }, name ? 'Sieve script activated' : 'Sieve scripts deactivated');
    await s.write(ok(name ? 'Active' : 'No script is active'));
  },
};
