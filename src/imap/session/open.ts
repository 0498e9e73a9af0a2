/**
 * Opening a mailbox for SELECT/EXAMINE: snapshot the UIDs into a SelectedView. Changes that
 * arrive while the snapshot is taken are collected and ingested afterwards; the view
 * ignores the ones the snapshot already contains.
 */
import type { MailboxSnapshot } from '../../store/types.js';
import type { MailboxAccess } from './access.js';
import type { ImapSession as Session } from './types.js';
import { SelectedView } from './selected.js';
import { isKeyword } from './flags.js';

export async function openMailbox(
  s: Session,
  access: MailboxAccess,
  readOnly: boolean,
): Promise<{ view: SelectedView; snapshot: MailboxSnapshot }> {
  const info = access.info;
  s.watchOwner(info.accountId); // before the snapshot: no change of a shared mailbox slips between
  s.opening = [];
  try {
    const snap = await s.ctx.store.snapshot(info.accountId, info.id);
    const view = new SelectedView(info, snap.uids, readOnly, s.id, access);
    let max = 0;
    for (let i = 0; i < snap.modseqs.length; i++) if (snap.modseqs[i] > max) max = snap.modseqs[i];
    if (max > view.highestModseq) view.highestModseq = max;
    view.ingest(s.opening);
    // keywords in use go into the FLAGS response (RFC 9051 §7.3.5): from the snapshot when
    // the store provides them, else read from the messages in batches
    if (snap.keywords) for (const k of snap.keywords) view.keywords.add(k);
    else for (let i = 0; i < snap.uids.length; i += 1000) {
      const last = snap.uids[Math.min(i + 999, snap.uids.length - 1)];
      const metas = await s.ctx.store.getMessages(info.accountId, info.id, [[snap.uids[i], last]]);
      for (const m of metas) for (const f of m.flags) if (isKeyword(f)) view.keywords.add(f);
    }
    return { view, snapshot: snap };
  } finally {
    s.opening = null;
  }
}
