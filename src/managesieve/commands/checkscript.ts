/** CHECKSCRIPT script (RFC 5804 §2.12): the checker's verdict, nothing stored. */
import { checkScript } from '../../sieve/index.js';
import { ScriptError } from '../../sieve/scripts.js';
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { no, ok } from '../wire/response.js';

export const checkscript: ManageSieveCommand = {
  name: 'CHECKSCRIPT',
  states: ['AUTH'],
  async run(s, args) {
    const [script] = strings(args, 1, 'CHECKSCRIPT {size+}<CRLF>script');
    if (Buffer.byteLength(script!) > s.scripts.limits.maxScriptBytes) throw new ScriptError('QUOTA/MAXSIZE', 'script larger than allowed');
    const r = checkScript(script!);
    await s.write(r.ok ? ok('Script is valid') : no(r.error.message));
  },
};
