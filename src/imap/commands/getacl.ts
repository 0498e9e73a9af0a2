/**
 * GETACL (RFC 4314 §3.3, §3.6): `* ACL <mailbox> <owner> <all rights> <grantee> <rights>...`;
 * needs "a" (§4). The owner is listed first, always with every right, then the entries
 * by identifier (negative ones with their "-").
 */
import { ALL_RIGHTS, renderRights } from '../../store/acl-rights.js';
import { grantsOn, identifierText } from '../../store/acl.js';
import { accessMailbox } from '../session/access.js';
import { mailboxName } from '../session/names.js';
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseAclArgs } from '../wire/args/acl.js';
import { astring, atom, type WireValue } from '../wire/encode.js';

export const getaclCmd: ImapCommand = {
  name: 'GETACL',
  states: AUTHED,
  async run(s, req) {
    const a = parseAclArgs(req.args, s.names, 'GETACL', 1);
    const box = await accessMailbox(s, a.mailbox, 'a');
    const owner = box.own ? s.account! : await s.ctx.store.getAccountById(box.owner);
    const out: WireValue[] = [atom('ACL'), mailboxName(s, box.name)];
    if (owner) out.push(astring(owner.address), astring(renderRights(ALL_RIGHTS)));
    for (const g of await grantsOn(s.ctx.store, box.owner, box.info.id)) out.push(astring(identifierText(g.identifier)), astring(renderRights(g.rights)));
    s.untagged(...out);
  },
};
