/**
 * CREATE (RFC 9051 §6.3.4; RFC 6154 §3 USE), DELETE (§6.3.5), RENAME (§6.3.6),
 * SUBSCRIBE (§6.3.7), UNSUBSCRIBE (§6.3.8). Store errors map to ALREADYEXISTS /
 * NONEXISTENT / CANNOT in ../errors.ts.
 */
import { MAILBOX_DELIMITER, type SpecialUse } from '../../store/types.js';
import { AUTHED, bad, no, type ImapCommand } from '../session/types.js';
import { parseCreateArgs, parseMailboxArg, parseRenameArgs } from '../wire/args/misc.js';

const USES = new Set(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged']);

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
    const args = parseCreateArgs(req.args, s.names);
    const name = trimDelimiter(args.mailbox);
    if (name === 'INBOX') throw no('INBOX always exists', 'ALREADYEXISTS');
    let specialUse: SpecialUse | null = null;
    if (args.specialUse) {
      if (args.specialUse.length > 1 || (args.specialUse[0] && !USES.has(args.specialUse[0]))) {
        throw no('Only one of \\Sent \\Drafts \\Trash \\Junk \\Archive \\All \\Flagged may be given', 'USEATTR');
      }
      specialUse = (args.specialUse[0] as SpecialUse | undefined) ?? null;
    }
    await s.ctx.store.createMailbox(s.accountId, name, { origin: s.id, specialUse });
  },
};

export const deleteCmd: ImapCommand = {
  name: 'DELETE',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, 'DELETE');
    if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    if (s.selected?.name === name) s.deselect();
    await s.ctx.store.deleteMailbox(s.accountId, name, { origin: s.id });
  },
};

export const renameCmd: ImapCommand = {
  name: 'RENAME',
  states: AUTHED,
  async run(s, req) {
    const { from, to: rawTo } = parseRenameArgs(req.args, s.names);
    const to = trimDelimiter(rawTo);
    if (to === 'INBOX') throw no('A mailbox cannot be renamed to INBOX', 'ALREADYEXISTS');
    await s.ctx.store.renameMailbox(s.accountId, from, to, { origin: s.id });
  },
};

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
