/**
 * STATUS data items (RFC 9051 §6.3.11, §7.3.3; RECENT from RFC 3501; SIZE from RFC 8438;
 * HIGHESTMODSEQ from RFC 7162; MAILBOXID from RFC 8474; DELETED-STORAGE from RFC 9208), shared by STATUS, LIST-STATUS (RFC 5819)
 * and NOTIFY (RFC 5465).
 */
import type { MailboxInfo } from '../../store/types.js';
import type { ImapSession as Session } from './types.js';
import { mailboxName } from './names.js';
import { atom, type WireValue, type WireWriter } from '../wire/encode.js';
import { mailboxId } from './object-ids.js';

async function deletedStorage(s: Session, accountId: number, mailboxId: number): Promise<number> {
  const uids = await s.ctx.store.search(accountId, mailboxId, { op: 'flag', flag: '\\Deleted', set: true });
  if (!uids.length) return 0;
  const msgs = await s.ctx.store.getMessages(accountId, mailboxId, uids);
  return msgs.reduce((n, m) => n + m.size, 0);
}

/** `* STATUS <mailbox> (<item> <n> ...)` into `w`; `name` is the mailbox's name for this session when it is another account's */
export async function statusResponse(s: Session, w: WireWriter, info: MailboxInfo, items: string[], name = info.name): Promise<WireWriter> {
  const st = await s.ctx.store.mailboxStatus(info.accountId, info.id);
  const sel = s.selected?.mailboxId === info.id ? s.selected : null;
  const out: WireValue[] = [];
  for (const i of items) {
    if (i === 'MAILBOXID') {
      out.push(atom(i), [atom(mailboxId(info.id))]);
      continue;
    }
    let v: number;
    switch (i) {
      case 'MESSAGES':
        v = st.messages;
        break;
      case 'UIDNEXT':
        v = st.uidNext;
        break;
      case 'UIDVALIDITY':
        v = st.uidValidity;
        break;
      case 'UNSEEN':
        v = st.unseen;
        break;
      case 'DELETED':
        v = st.deleted;
        break;
      case 'SIZE':
        v = st.size;
        break;
      case 'DELETED-STORAGE':
        // RFC 9208 §4.1.4: what EXPUNGE would free, exactly (the sizes of the \Deleted messages)
        v = st.deleted ? await deletedStorage(s, info.accountId, info.id) : 0;
        break;
      case 'RECENT':
        // recent is per session; without claiming, report what this session sees
        v = sel ? sel.recentCount() : st.recent;
        break;
      case 'HIGHESTMODSEQ':
        v = st.highestModseq;
        break;
      default:
        v = s.appendLimit();
    }
    out.push(atom(i), v);
  }
  return w.untagged([atom('STATUS'), mailboxName(s, name), out]);
}
