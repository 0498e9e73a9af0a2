/**
 * DELETE (RFC 9051 §6.3.5): INBOX cannot be deleted; children stay. Another account's
 * mailbox needs the "x" right (RFC 4314 §4); the mailbox's grants and METADATA entries
 * (RFC 5464 §3.1) go with it.
 */
import { dropMailboxGrants } from '../../store/acl.js';
import { accessMailbox, parseName } from '../session/access.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseMailboxArg } from '../wire/args/misc.js';
import { dropMailboxEntries } from './metadata-entries.js';

export const deleteCmd: ImapCommand = {
  name: 'DELETE',
  states: AUTHED,
  async run(s, req) {
    const name = parseMailboxArg(req.args, s.names, 'DELETE');
    if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    const box = parseName(name).kind === 'personal' ? null : await accessMailbox(s, name, 'x');
    if (box?.info.name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    if (box ? s.selected?.mailboxId === box.info.id : s.selected?.name === name) s.deselect();
    const owner = box?.owner ?? s.accountId;
    const changes = await s.ctx.store.deleteMailbox(owner, box?.info.name ?? name, { origin: s.id });
    for (const c of changes) {
      if (c.kind !== 'mailbox-deleted') continue;
      await dropMailboxGrants(s.ctx.store, owner, c.mailboxId);
      await dropMailboxEntries(s.ctx.store, owner, c.mailboxId);
    }
  },
};
