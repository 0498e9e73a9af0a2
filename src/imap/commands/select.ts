/**
 * SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1 for rev1's RECENT and
 * UNSEEN; RFC 7162 §3.1.2 HIGHESTMODSEQ and the CONDSTORE select parameter).
 * QRESYNC is not advertised, so its select parameter is refused.
 */
import { openMailbox } from '../session/open.js';
import { flagsLines } from '../session/flags.js';
import { encodeName } from '../session/names.js';
import { AUTHED, bad, no, type ImapCommand, type Tagged } from '../session/types.js';
import type { Session } from '../session/session.js';
import type { Request } from '../session/types.js';
import { parseSelectArgs } from '../wire/args/misc.js';

async function select(s: Session, req: Request, readOnly: boolean): Promise<Tagged> {
  const args = parseSelectArgs(req.args, s.names);
  if (args.qresync) throw bad('QRESYNC is not supported');
  if (args.condstore) s.enabled.add('CONDSTORE');
  const name = args.mailbox;
  if (s.selected) {
    // RFC 9051 §6.3.2: leaving the old mailbox is announced with [CLOSED]
    s.deselect();
    s.write('* OK [CLOSED] Previous mailbox closed\r\n');
  }
  const info = await s.ctx.store.getMailbox(s.accountId, name);
  if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
  const view = await openMailbox(s, info, readOnly);
  if (!s.rev2 && !readOnly) {
    // EXAMINE leaves \Recent to the next SELECT (RFC 3501 §6.3.2)
    const recentFrom = await s.ctx.store.claimRecent(s.accountId, info.id);
    view.addRecent(recentFrom, Math.max(view.maxUid, view.uidNext - 1));
  }
  const lines: string[] = [];
  lines.push(`* ${view.exists} EXISTS`);
  if (!s.rev2) lines.push(`* ${view.recentCount()} RECENT`);
  lines.push(flagsLines(view.keywords, readOnly).trimEnd());
  lines.push(`* OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`);
  lines.push(`* OK [UIDNEXT ${view.uidNext}] Predicted next UID`);
  lines.push(`* OK [HIGHESTMODSEQ ${view.highestModseq}] Highest`);
  if (!s.rev2) {
    const st = await s.ctx.store.mailboxStatus(s.accountId, info.id);
    const seq = st.firstUnseenUid ? view.seqOf(st.firstUnseenUid) : 0;
    if (seq) lines.push(`* OK [UNSEEN ${seq}] First unseen`);
  } else {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name (and its attributes)
    lines.push(`* LIST () "/" ${encodeName(s, info.name)}`);
  }
  s.write(lines.join('\r\n') + '\r\n');
  s.selected = view;
  s.state = 'selected';
  return { status: 'OK', code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
}

export const selectCmd: ImapCommand = { name: 'SELECT', states: AUTHED, run: (s, r) => select(s, r, false) };
export const examineCmd: ImapCommand = { name: 'EXAMINE', states: AUTHED, run: (s, r) => select(s, r, true) };
