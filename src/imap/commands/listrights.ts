/**
 * LISTRIGHTS (RFC 4314 §3.4, §3.7): the rights an identifier always has on a mailbox and
 * those it can be granted; needs "a" (§4). The identifier is echoed as the client sent it.
 * Every identifier but the owner's gets the same answer (nothing required, every right
 * grantable on its own), whether or not an account of that name exists.
 */
import { listableRights } from '../../store/acl-rights.js';
import { accessMailbox } from '../session/access.js';
import { mailboxName } from '../session/names.js';
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseAclArgs } from '../wire/args/acl.js';
import { astring, atom } from '../wire/encode.js';
import { aclIdentifier } from './acl-identifier.js';

export const listrightsCmd: ImapCommand = {
  name: 'LISTRIGHTS',
  states: AUTHED,
  async run(s, req) {
    const a = parseAclArgs(req.args, s.names, 'LISTRIGHTS', 2);
    const box = await accessMailbox(s, a.mailbox, 'a');
    const who = await aclIdentifier(s, a.identifier, box.owner);
    const { required, optional } = listableRights(who.kind === 'entry' && who.owner);
    s.untagged(atom('LISTRIGHTS'), mailboxName(s, box.name), astring(a.identifier), astring(required), ...optional.map(atom));
  },
};
