/**
 * EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1; RFC 9051 §6.4.9). The EXPUNGE
 * responses come from the session's sync at the end of the command, which applies the
 * store's changes through the view (so another session's expunges are reported as well).
 */
import { toUidSet } from '../session/selected.js';
import { requireRights } from '../session/access.js';
import { SELECTED, no, type ImapCommand } from '../session/types.js';
import { parseNoArgs, parseUidExpungeArgs } from '../wire/args/misc.js';

export const expungeCmd: ImapCommand = {
  name: 'EXPUNGE',
  states: SELECTED,
  progress: true,
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    const v = s.selected!;
    requireRights(v, 'e'); // RFC 4314 §4
    if (v.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const r = await s.ctx.store.expunge(v.owner, v.mailboxId, undefined, { origin: s.id });
    v.ingest(r.changes);
  },
};

export const uidExpungeCmd: ImapCommand = {
  name: 'UID EXPUNGE',
  states: SELECTED,
  progress: true,
  async run(s, req) {
    const set = parseUidExpungeArgs(req.args);
    const v = s.selected!;
    requireRights(v, 'e');
    if (v.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const uids = v.uidSetToUids(set);
    if (!uids.length) return;
    const r = await s.ctx.store.expunge(v.owner, v.mailboxId, toUidSet(uids), { origin: s.id });
    v.ingest(r.changes);
  },
};
