/**
 * SETACL (RFC 4314 §3.1): grants, adds ("+") or removes ("-") rights of one identifier on a
 * mailbox; needs the "a" right (§4). Unknown or upper-case rights are BAD (§3.1), "c" and
 * "d" stand for k+x and e+t (§2.1.1). Rights set to nothing remove the entry. "+"/"-"
 * change the named entry's own rights (a negative identifier's entry is its own).
 */
import { applyChange, parseRightsChange, RightsError, type RightsChange } from '../../store/acl-rights.js';
import { entryRights, grantCount, identifierText, MAX_GRANTS_PER_MAILBOX, setGrant } from '../../store/acl.js';
import { accessMailbox } from '../session/access.js';
import { AUTHED, bad, no, type ImapCommand } from '../session/types.js';
import { parseAclArgs } from '../wire/args/acl.js';
import { grantee } from './acl-identifier.js';

export const setaclCmd: ImapCommand = {
  name: 'SETACL',
  states: AUTHED,
  async run(s, req) {
    const a = parseAclArgs(req.args, s.names, 'SETACL', 3);
    let change: RightsChange;
    try {
      change = parseRightsChange(a.rights);
    } catch (e) {
      if (e instanceof RightsError) throw bad(e.message);
      throw e;
    }
    const box = await accessMailbox(s, a.mailbox, 'a');
    const who = await grantee(s, a.identifier, box.owner, change.mode !== 'remove' && change.rights !== '');
    const store = s.ctx.store;
    const current = await entryRights(store, box.owner, box.info.id, who);
    const next = applyChange(current, change);
    if (next && !current && (await grantCount(store, box.owner, box.info.id)) >= MAX_GRANTS_PER_MAILBOX) {
      throw no(`A mailbox's ACL holds at most ${MAX_GRANTS_PER_MAILBOX} entries`, 'LIMIT');
    }
    await setGrant(store, box.owner, box.info.id, who, next);
    s.log.info({ mailbox: box.info.id, grantee: identifierText(who), rights: next }, 'imap setacl');
    return { status: 'OK', text: 'SETACL completed' };
  },
};
