/**
 * Opening a mailbox for SELECT/EXAMINE: snapshot the UIDs into a SelectedView. Changes that
 * arrive while the snapshot is taken are collected and ingested afterwards; the view
 * ignores the ones the snapshot already contains.
 */
import type { MailboxInfo } from '../../store/types.js';
import type { Session } from './session.js';
import { SelectedView } from './selected.js';

export async function openMailbox(s: Session, info: MailboxInfo, readOnly: boolean): Promise<SelectedView> {
  s.opening = [];
  try {
    const snap = await s.ctx.store.snapshot(s.accountId, info.id);
    const view = new SelectedView(info, snap.uids, readOnly, s.id);
    let max = 0;
    for (let i = 0; i < snap.modseqs.length; i++) if (snap.modseqs[i] > max) max = snap.modseqs[i];
    if (max > view.highestModseq) view.highestModseq = max;
    view.ingest(s.opening);
    return view;
  } finally {
    s.opening = null;
  }
}
