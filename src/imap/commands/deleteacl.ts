/** DELETEACL (RFC 4314 §3.2): removes an identifier's entry from a mailbox's ACL; needs "a" (§4). */
import { identifierText, removeGrant } from '../../store/acl.js';
import { accessMailbox } from '../session/access.js';
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseAclArgs } from '../wire/args/acl.js';
import { grantee } from './acl-identifier.js';

export const deleteaclCmd: ImapCommand = {
  name: 'DELETEACL',
  states: AUTHED,
  async run(s, req) {
    const a = parseAclArgs(req.args, s.names, 'DELETEACL', 2);
    const box = await accessMailbox(s, a.mailbox, 'a');
    const who = await grantee(s, a.identifier, box.owner);
    await removeGrant(s.ctx.store, box.owner, box.info.id, who);
    s.log.info({ mailbox: box.info.id, grantee: identifierText(who) }, 'imap deleteacl');
    return { status: 'OK', text: 'DELETEACL completed' };
  },
};
