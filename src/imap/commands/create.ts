/**
 * CREATE (RFC 9051 §6.3.4; RFC 6154 §3 USE; RFC 8474 §4.1 MAILBOXID). Store errors map in
 * ../errors.ts (ALREADYEXISTS, CANNOT). In another account's namespace it needs "k" on the
 * nearest existing parent; the new mailbox takes its parent's ACL (RFC 4314 §4).
 */
import type { SpecialUse } from '../../store/types.js';
import { AUTHED, no, ok, type ImapCommand } from '../session/types.js';
import { mailboxId } from '../session/object-ids.js';
import { atom, respCode } from '../wire/encode.js';
import { parseCreateArgs } from '../wire/args/misc.js';
import { trimDelimiter } from './mailbox-name.js';
import { placeForNew } from '../session/access.js';
import { copyGrants } from '../../store/acl.js';

/**
 * RFC 6154 §3 CREATE-SPECIAL-USE: the uses a mailbox of ours can have. \All and \Flagged
 * name virtual mailboxes (every message, every flagged message) that this server does not
 * keep, so they are refused with USEATTR rather than put on a plain mailbox.
 */
const USES = new Set(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive']);

export const createCmd: ImapCommand = {
  name: 'CREATE',
  states: AUTHED,
  async run(s, req) {
    const args = parseCreateArgs(req.args, s.names);
    const name = trimDelimiter(args.mailbox);
    if (name === 'INBOX') throw no('INBOX always exists', 'ALREADYEXISTS');
    // RFC 4314 §4: in another account only below a parent granting "k"
    const place = await placeForNew(s, name);
    let specialUse: SpecialUse | null = null;
    if (args.specialUse) {
      if (args.specialUse.length > 1) throw no('Give at most one special use per mailbox', 'USEATTR');
      const given = args.specialUse[0];
      // attributes are atoms: compared without case
      const use = given ? [...USES].find((u) => u.toLowerCase() === given.toLowerCase()) : undefined;
      if (given && !use) throw no(`${given} is not supported here; use one of ${[...USES].join(' ')}`, 'USEATTR');
      specialUse = (use as SpecialUse | undefined) ?? null;
    }
    if (specialUse && !place.own) throw no("Special use is set on one's own mailboxes only", 'USEATTR');
    await s.ctx.store.createMailbox(place.owner, place.name, { origin: s.id, specialUse });
    // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK
    const info = await s.ctx.store.getMailbox(place.owner, place.name);
    // RFC 4314 §4: a new mailbox inherits its parent's ACL
    if (info && place.parent) await copyGrants(s.ctx.store, place.owner, place.parent.info.id, info.id);
    return ok('CREATE completed', info ? respCode('MAILBOXID', [atom(mailboxId(info.id))]) : undefined);
  },
};
