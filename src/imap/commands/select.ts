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
import { mailboxId } from '../session/object-ids.js';
import { accessMailbox } from '../session/access.js';
import { canWriteMailbox } from '../../store/acl-rights.js';
import { AUTHED, bad, type ImapCommand, type ImapSession as Session, type Request, type Tagged } from '../session/types.js';
import { parseSelectArgs, type QresyncParams } from '../wire/args/misc.js';
import type { SequenceSet } from '../wire/args/seqset.js';

type SeqRanges = Extract<SequenceSet, { saved: false }>['ranges'];
import { atom, flagList, respCode, seqSet, type WireWriter } from '../wire/encode.js';

/** RFC 7162 §3.2.5.1: what changed since the client's last known MODSEQ, into `w` */
async function resync(s: Session, w: WireWriter, view: SelectedView, snap: MailboxSnapshot, q: QresyncParams): Promise<void> {
  let vanished = await s.ctx.store.expungedSince(view.owner, view.mailboxId, q.modseq);
  if (q.knownUids) {
    const known = new Set(view.uidSetToUids(q.knownUids));
    const ranges = q.knownUids.saved ? [] : q.knownUids.ranges.map(([a, b]) => [a === '*' ? Infinity : a, b === '*' ? Infinity : b].sort((x, y) => x - y));
    vanished = vanished.filter((u) => known.has(u) || ranges.some(([a, b]) => u >= a && u <= b));
  }
  if (q.seqMatch && !q.seqMatch.seqs.saved && !q.seqMatch.uids.saved) {
    // RFC 7162 §3.2.5.2: the highest client pair (seq, UID) that still matches tells that
    // nothing at or below that UID was expunged since: only later UIDs are reported
    const cutoff = seqMatchCutoff(view, q.seqMatch.seqs.ranges, q.seqMatch.uids.ranges);
    if (cutoff) vanished = vanished.filter((u) => u > cutoff);
  }
  if (vanished.length) w.untagged([atom('VANISHED'), [atom('EARLIER')], seqSet(vanished)]);
  const changed: number[] = [];
  for (let i = 0; i < snap.uids.length; i++) if (snap.modseqs[i] > q.modseq) changed.push(snap.uids[i]);
  for (let i = 0; i < changed.length; i += 500) {
    const metas = await s.ctx.store.getMessages(view.owner, view.mailboxId, toUidSet(changed.slice(i, i + 500)));
    for (const m of metas) {
      const seq = view.seqOf(m.uid);
      if (seq) s.fetchResponse(w, m.uid, [['UID', m.uid], ['FLAGS', flagList(m.flags)], ['MODSEQ', [m.modseq]]], view);
    }
  }
}

/** the UID of the highest (seq, UID) pair of seq-match-data that still holds in the view; 0 when none */
function seqMatchCutoff(view: SelectedView, seqRanges: SeqRanges, uidRanges: SeqRanges): number {
  const expand = (r: SeqRanges): number[] | null => {
    const out: number[] = [];
    for (const [a, b] of r) {
      if (a === '*' || b === '*') return null;
      for (let n = Math.min(a, b); n <= Math.max(a, b); n++) if (out.push(n) > 100_000) return null;
    }
    return out;
  };
  const seqs = expand(seqRanges);
  const uids = expand(uidRanges);
  // RFC 7162 §3.2.5.2: both lists have the same length; otherwise the data is ignored
  if (!seqs || !uids || seqs.length !== uids.length) return 0;
  for (let i = seqs.length - 1; i >= 0; i--) {
    if (seqs[i]! <= view.exists && view.uidAt(seqs[i]!) === uids[i]) return uids[i]!;
  }
  return 0;
}

async function select(s: Session, req: Request, examine: boolean): Promise<Tagged> {
  let readOnly = examine;
  const args = parseSelectArgs(req.args, s.names);
  if (args.qresync && !s.qresync) throw bad('ENABLE QRESYNC first (RFC 7162 §3.2.5)');
  if (args.condstore) s.enabled.add('CONDSTORE');
  const name = args.mailbox;
  if (s.selected) {
    // RFC 9051 §6.3.2: leaving the old mailbox is announced with [CLOSED]
    s.deselect();
    s.notice('OK', 'Previous mailbox closed', respCode('CLOSED'));
  }
  // RFC 4314 §4: SELECT and EXAMINE need "r"
  const access = await accessMailbox(s, name, 'r');
  const info = access.info;
  // RFC 4314 §5.2: READ-ONLY without any right to change the mailbox
  readOnly ||= !canWriteMailbox(access.rights);
  const { view, snapshot } = await openMailbox(s, access, readOnly);
  // \Recent is claimed by the owner's sessions only; a shared mailbox is shown as EXAMINE would
  if (!s.rev2 && !readOnly && access.own) {
    const recentFrom = await s.ctx.store.claimRecent(info.accountId, info.id);
    view.addRecent(recentFrom, Math.max(view.maxUid, view.uidNext - 1));
  } else if (!s.rev2) {
    // RFC 3501 §6.3.2: EXAMINE shows the same RECENT as SELECT would, without claiming it
    // (the next SELECT still sees those messages as \Recent). They are the newest UIDs.
    const n = Math.min((await s.ctx.store.mailboxStatus(info.accountId, info.id)).recent, view.exists);
    if (n > 0) view.addRecent(view.uidAt(view.exists - n + 1), view.maxUid);
  }
  const w = s.writer();
  w.untagged([view.exists, atom('EXISTS')]);
  if (!s.rev2) w.untagged([view.recentCount(), atom('RECENT')]);
  flagsResponses(w, view.keywords, readOnly, view.rights);
  w.status('*', 'OK', 'UIDs valid', respCode('UIDVALIDITY', view.uidValidity));
  w.status('*', 'OK', 'Predicted next UID', respCode('UIDNEXT', view.uidNext));
  w.status('*', 'OK', 'Highest', respCode('HIGHESTMODSEQ', view.highestModseq));
  w.status('*', 'OK', 'Ok', respCode('MAILBOXID', [atom(mailboxId(info.id))])); // RFC 8474 §4.3
  if (!s.rev2) {
    const st = await s.ctx.store.mailboxStatus(info.accountId, info.id);
    const seq = st.firstUnseenUid ? view.seqOf(st.firstUnseenUid) : 0;
    if (seq) w.status('*', 'OK', 'First unseen', respCode('UNSEEN', seq));
  } else {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name (and its attributes)
    w.untagged([atom('LIST'), info.specialUse ? [atom(info.specialUse)] : [], MAILBOX_DELIMITER, mailboxName(s, view.name)]);
  }
  if (args.qresync && args.qresync.uidValidity === view.uidValidity) await resync(s, w, view, snapshot, args.qresync);
  s.send(w);
  s.selected = view;
  s.state = 'selected';
  return { status: 'OK', code: respCode(readOnly ? 'READ-ONLY' : 'READ-WRITE'), text: `${examine ? 'EXAMINE' : 'SELECT'} completed` };
}

export const selectCmd: ImapCommand = { name: 'SELECT', states: AUTHED, run: (s, r) => select(s, r, false) };
export const examineCmd: ImapCommand = { name: 'EXAMINE', states: AUTHED, run: (s, r) => select(s, r, true) };
