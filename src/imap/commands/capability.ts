/** CAPABILITY (RFC 9051 §6.1.1) */
import { capabilities } from '../session/capability.js';
import { ANY_STATE, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';
import { atom } from '../wire/encode.js';

export const capabilityCmd: ImapCommand = {
  name: 'CAPABILITY',
  states: ANY_STATE,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.untagged(atom('CAPABILITY'), ...capabilities(s).map(atom));
  },
};
