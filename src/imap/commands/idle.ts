/**
 * IDLE (RFC 2177; RFC 9051 §6.3.13): "+ idling", then changes are pushed as they arrive
 * (the bus listener wakes us), until the client sends DONE.
 */
import { AUTHED, bad, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const idleCmd: ImapCommand = {
  name: 'IDLE',
  states: AUTHED,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    s.continuation('idling');
    let pushing = Promise.resolve();
    const wake = () => {
      pushing = pushing.then(async () => void (await s.sync(true))).catch((e) => s.log.error({ err: e }, 'imap IDLE: could not report changes'));
    };
    s.setIdleWake(wake);
    wake(); // anything pending from before IDLE
    try {
      const line = await s.readLine();
      await pushing;
      if (line === null) return { status: 'NO', text: 'Connection closed', written: true };
      if (line.trim().toUpperCase() !== 'DONE') throw bad('Expected DONE to end IDLE');
    } finally {
      s.setIdleWake(null);
    }
    return { status: 'OK', text: 'IDLE terminated' };
  },
};
