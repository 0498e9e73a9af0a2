/** PUTSCRIPT name script (RFC 5804 §2.6): checked, then stored; an invalid script is NO with the checker's line and column. */
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { ok } from '../wire/response.js';

export const putscript: ManageSieveCommand = {
  name: 'PUTSCRIPT',
  states: ['AUTH'],
  async run(s, args) {
    const [name, script] = strings(args, 2, 'PUTSCRIPT "name" {size+}<CRLF>script');
    await s.scripts.put(s.account!.id, name!, script!);
    s.log.info({ user: s.account!.address, script: name, size: Buffer.byteLength(script!) }, 'Sieve script stored');
    await s.write(ok('Stored'));
  },
};
