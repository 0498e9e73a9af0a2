/**
 * SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1 for rev1's RECENT and
 * UNSEEN; RFC 7162 §3.1.2 HIGHESTMODSEQ and the CONDSTORE select parameter).
 * The QRESYNC parameter (RFC 7162 §3.2.5) adds VANISHED (EARLIER) and the FETCH responses
 * of messages changed since the client's MODSEQ.
 */
import { MAILBOX_DELIMITER, type MailboxSnapshot } from '../../store/types.js';
import { openMailbox } from '../session/open.js';
import { flagsResponses } from '../session/flags.js';
import { toUidSet, type SelectedView } from '../session/selected.js';
import { mailboxName } from '../session/names.js';
import { AUTHED, bad, no, type ImapCommand, type ImapSession as Session, type Request, type Tagged } from '../session/types.js';
import { parseSelectArgs, type QresyncParams } from '../wire/args/misc.js';
import { atom, flagList, respCode, seqSet, type WireWriter } from '../wire/encode.js';

/** RFC 7162 §3.2.5.1: what changed since the client's last known MODSEQ, into `w` */
async function resync(s: Session, w: WireWriter, view: SelectedView, snap: MailboxSnapshot, q: QresyncParams): Promise<void> {
  let vanished = await s.ctx.store.expungedSince(s.accountId, view.mailboxId, q.modseq);
  if (q.knownUids) {
    const known = new Set(view.uidSetToUids(q.knownUids));
    const ranges = q.knownUids.saved ? [] : q.knownUids.ranges.map(([a, b]) => [a === '*' ? Infinity : a, b === '*' ? Infinity : b].sort((x, y) => x - y));
    vanished = vanished.filter((u) => known.has(u) || ranges.some(([a, b]) => u >= a && u <= b));
  }
  if (vanished.length) w.untagged([atom('VANISHED'), [atom('EARLIER')], seqSet(vanished)]);
  const changed: number[] = [];
  for (let i = 0; i < snap.uids.length; i++) if (snap.modseqs[i] > q.modseq) changed.push(snap.uids[i]);
  for (let i = 0; i < changed.length; i += 500) {
    const metas = await s.ctx.store.getMessages(s.accountId, view.mailboxId, toUidSet(changed.slice(i, i + 500)));
    for (const m of metas) {
      const seq = view.seqOf(m.uid);
      if (seq) w.fetch(seq, [['UID', m.uid], ['FLAGS', flagList(m.flags)], ['MODSEQ', [m.modseq]]]);
    }
  }
}

async function select(s: Session, req: Request, readOnly: boolean): Promise<Tagged> {
  const args = parseSelectArgs(req.args, s.names);
  if (args.qresync && !s.qresync) throw bad('ENABLE QRESYNC first (RFC 7162 §3.2.5)');
  if (args.condstore) s.enabled.add('CONDSTORE');
  const name = args.mailbox;
  if (s.selected) {
    // RFC 9051 §6.3.2: leaving the old mailbox is announced with [CLOSED]
    s.deselect();
    s.notice('OK', 'Previous mailbox closed', respCode('CLOSED'));
  }
  const info = await s.ctx.store.getMailbox(s.accountId, name);
  if (!info) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
  const { view, snapshot } = await openMailbox(s, info, readOnly);
  if (!s.rev2 && !readOnly) {
    // EXAMINE leaves \Recent to the next SELECT (RFC 3501 §6.3.2)
    const recentFrom = await s.ctx.store.claimRecent(s.accountId, info.id);
    view.addRecent(recentFrom, Math.max(view.maxUid, view.uidNext - 1));
  }
  const w = s.writer();
  w.untagged([view.exists, atom('EXISTS')]);
  if (!s.rev2) w.untagged([view.recentCount(), atom('RECENT')]);
  flagsResponses(w, view.keywords, readOnly);
  w.status('*', 'OK', 'UIDs valid', respCode('UIDVALIDITY', view.uidValidity));
  w.status('*', 'OK', 'Predicted next UID', respCode('UIDNEXT', view.uidNext));
  w.status('*', 'OK', 'Highest', respCode('HIGHESTMODSEQ', view.highestModseq));
  if (!s.rev2) {
    const st = await s.ctx.store.mailboxStatus(s.accountId, info.id);
    const seq = st.firstUnseenUid ? view.seqOf(st.firstUnseenUid) : 0;
    if (seq) w.status('*', 'OK', 'First unseen', respCode('UNSEEN', seq));
  } else {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name (and its attributes)
    w.untagged([atom('LIST'), info.specialUse ? [atom(info.specialUse)] : [], MAILBOX_DELIMITER, mailboxName(s, info.name)]);
  }
  if (args.qresync && args.qresync.uidValidity === view.uidValidity) await resync(s, w, view, snapshot, args.qresync);
  s.send(w);
  s.selected = view;
  s.state = 'selected';
  return { status: 'OK', code: respCode(readOnly ? 'READ-ONLY' : 'READ-WRITE'), text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
}

export const selectCmd: ImapCommand = { name: 'SELECT', states: AUTHED, run: (s, r) => select(s, r, false) };
export const examineCmd: ImapCommand = { name: 'EXAMINE', states: AUTHED, run: (s, r) => select(s, r, true) };
