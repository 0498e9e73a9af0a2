/**
 * MYRIGHTS (RFC 4314 §3.5, §3.8): the session's own rights on a mailbox, "c" and "d"
 * included where their members are (§2.1.1). Needs any of l r i k x a (§4); without them
 * the mailbox is reported as nonexistent.
 */
import { anyVisibleRight, renderRights } from '../../store/acl-rights.js';
import { lookupMailbox, nonexistent } from '../session/access.js';
import { mailboxName } from '../session/names.js';
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseAclArgs } from '../wire/args/acl.js';
import { astring, atom } from '../wire/encode.js';

export const myrightsCmd: ImapCommand = {
  name: 'MYRIGHTS',
  states: AUTHED,
  async run(s, req) {
    const a = parseAclArgs(req.args, s.names, 'MYRIGHTS', 1);
    const box = await lookupMailbox(s, a.mailbox);
    if (!box || !anyVisibleRight(box.rights)) throw nonexistent(a.mailbox);
    s.untagged(atom('MYRIGHTS'), mailboxName(s, box.name), astring(renderRights(box.rights)));
  },
};
