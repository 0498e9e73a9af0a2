/** CAPABILITY (RFC 9051 §6.1.1) */
import { capabilities } from '../session/capability.js';
import { ANY_STATE, type ImapCommand } from '../session/types.js';

export const capabilityCmd: ImapCommand = {
  name: 'CAPABILITY',
  states: ANY_STATE,
  pipelineSafe: true,
  async run(s, req) {
    s.args(req).end();
    s.write(`* CAPABILITY ${capabilities(s).join(' ')}\r\n`);
  },
};
