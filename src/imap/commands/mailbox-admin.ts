/**
 * CREATE (RFC 9051 §6.3.4), DELETE (§6.3.5), RENAME (§6.3.6), SUBSCRIBE (§6.3.7),
 * UNSUBSCRIBE (§6.3.8). Store errors map to ALREADYEXISTS / NONEXISTENT / CANNOT in errors.ts.
 */
import { MAILBOX_DELIMITER } from '../../store/types.js';
import { AUTHED, bad, no, type ImapCommand } from '../session/types.js';

function trimDelimiter(name: string): string {
  // RFC 9051 §6.3.4: a trailing delimiter declares intent to create children; it is not part of the name
  let n = name;
  while (n.endsWith(MAILBOX_DELIMITER)) n = n.slice(0, -1);
  if (!n) throw bad('Mailbox name is empty');
  return n;
}

export const createCmd: ImapCommand = {
  name: 'CREATE',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = trimDelimiter(a.mailbox());
    if (!a.done) a.list('create parameters'); // RFC 4466 create-param: accepted, ignored
    a.end();
    if (name === 'INBOX') throw no('INBOX always exists', 'ALREADYEXISTS');
    await s.ctx.store.createMailbox(s.accountId, name, { origin: s.id });
  },
};

export const deleteCmd: ImapCommand = {
  name: 'DELETE',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = a.mailbox();
    a.end();
    if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    if (s.selected?.name === name) s.deselect();
    await s.ctx.store.deleteMailbox(s.accountId, name, { origin: s.id });
  },
};

export const renameCmd: ImapCommand = {
  name: 'RENAME',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const from = a.mailbox('existing mailbox name');
    const to = trimDelimiter(a.mailbox('new mailbox name'));
    a.end();
    if (to === 'INBOX') throw no('A mailbox cannot be renamed to INBOX', 'ALREADYEXISTS');
    await s.ctx.store.renameMailbox(s.accountId, from, to, { origin: s.id });
  },
};

export const subscribeCmd: ImapCommand = {
  name: 'SUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = a.mailbox();
    a.end();
    await s.ctx.store.setSubscribed(s.accountId, name, true);
  },
};

export const unsubscribeCmd: ImapCommand = {
  name: 'UNSUBSCRIBE',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = a.mailbox();
    a.end();
    await s.ctx.store.setSubscribed(s.accountId, name, false);
  },
};
