/** SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8): subscriptions are kept by name. */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseMailboxArg } from '../wire/args/misc.js';

export const subscribeCmd: ImapCommand = {
  name: 'SUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, 'SUBSCRIBE');
    await s.ctx.store.setSubscribed(s.accountId, name, true);
    s.notifier?.subscriptionChanged(name, true); // RFC 5465 §5.5
  },
};

export const unsubscribeCmd: ImapCommand = {
  name: 'UNSUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, 'UNSUBSCRIBE');
    await s.ctx.store.setSubscribed(s.accountId, name, false);
    s.notifier?.subscriptionChanged(name, false);
  },
};
