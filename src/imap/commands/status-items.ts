/**
 * STATUS data items (RFC 9051 §6.3.11, §7.3.3; RECENT from RFC 3501; SIZE from RFC 8438;
 * HIGHESTMODSEQ from RFC 7162), shared by STATUS and LIST-STATUS (RFC 5819).
 */
import type { MailboxInfo } from '../../store/types.js';
import type { Session } from '../session/session.js';

export async function statusLine(s: Session, info: MailboxInfo, items: string[], wireName: string): Promise<string> {
  const st = await s.ctx.store.mailboxStatus(s.accountId, info.id);
  const sel = s.selected?.mailboxId === info.id ? s.selected : null;
  const parts: string[] = [];
  for (const i of items) {
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
    parts.push(`${i} ${v}`);
  }
  return `* STATUS ${wireName} (${parts.join(' ')})\r\n`;
}
