/** SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8): subscriptions are kept by name. */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseMailboxArg } from '../wire/args/misc.js';

export const subscribeCmd: ImapCommand = {
  name: 'SUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    await s.ctx.store.setSubscribed(s.accountId, parseMailboxArg(req.args, s.names, 'SUBSCRIBE'), true);
  },
};

export const unsubscribeCmd: ImapCommand = {
  name: 'UNSUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    await s.ctx.store.setSubscribed(s.accountId, parseMailboxArg(req.args, s.names, 'UNSUBSCRIBE'), false);
  },
};
