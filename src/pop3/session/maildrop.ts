/**
 * The maildrop of one POP3 session (RFC 1939 §5–§6): a snapshot of INBOX taken at login.
 *
 * Message numbers 1..N are fixed for the whole session; messages delivered meanwhile show
 * up at the next login. DELE only marks a number; RSET unmarks all; the marked UIDs are
 * handed to store.pop3Delete at QUIT (UPDATE state). Deleted numbers are invisible to
 * STAT/LIST/UIDL/RETR/TOP but keep their number (no renumbering).
 *
 * RETR (with pop3.retr_marks_seen) only notes the number too: the \Seen marks of the whole
 * session are written by one store update when it ends (Pop3Session.writeSeen), as Dovecot
 * does (its seen bitmask, written at QUIT or when the client goes away). RSET forgets them
 * along with the deletion marks, as Dovecot's RSET does.
 */
import type { MailboxInfo, Pop3Entry } from '../../store/types.js';

export type UidlFormat = 'guid' | 'dovecot';

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/**
 * RFC 1939 §7 UIDL: 1–70 characters in 0x21..0x7E.
 * 'guid': the message's stable guid (kept across moves and restores).
 * 'dovecot': Dovecot's default uidl_format "%08Xu%08Xv" (uid then uidvalidity, hex).
 */
export function formatUidl(entry: Pop3Entry, inbox: MailboxInfo, format: UidlFormat): string {
  if (format === 'dovecot') return hex8(entry.uid) + hex8(inbox.uidValidity);
  const safe = entry.guid.replace(/[^\x21-\x7e]/g, '');
  return safe.length > 0 ? safe.slice(0, 70) : hex8(entry.uid) + hex8(inbox.uidValidity);
}

export class Maildrop {
  private readonly deleted = new Set<number>();
  private readonly retrieved = new Set<number>();

  constructor(
    readonly inbox: MailboxInfo,
    private readonly entries: readonly Pop3Entry[],
    private readonly uidlFormat: UidlFormat,
  ) {}

  get count(): number {
    return this.entries.length;
  }

  /** the entry for message number n (1-based), or null when out of range */
  entry(n: number): Pop3Entry | null {
    return Number.isInteger(n) && n >= 1 && n <= this.entries.length ? this.entries[n - 1]! : null;
  }

  isDeleted(n: number): boolean {
    return this.deleted.has(n);
  }

  markDeleted(n: number): void {
    this.deleted.add(n);
  }

  /** RETR sent message n: it gets \Seen when the session ends (takeRetrievedUids) */
  markRetrieved(n: number): void {
    this.retrieved.add(n);
  }

  /** RSET: unmarks every deletion and forgets the retrieved messages; returns how many were marked deleted */
  reset(): number {
    const k = this.deleted.size;
    this.deleted.clear();
    this.retrieved.clear();
    return k;
  }

  /**
   * The UIDs of the messages RETR sent since login (or RSET), ascending, and forgets them, so
   * they are written once. `exceptDeleted`: leave out those marked deleted (they are about to
   * be expunged: a flag on them is wasted work).
   */
  takeRetrievedUids(exceptDeleted = false): number[] {
    const uids: number[] = [];
    for (const n of this.retrieved) if (!exceptDeleted || !this.deleted.has(n)) uids.push(this.entries[n - 1]!.uid);
    this.retrieved.clear();
    return uids.sort((a, b) => a - b);
  }

  /** the messages not marked deleted, with their numbers */
  visible(): Array<{ n: number; entry: Pop3Entry }> {
    const out: Array<{ n: number; entry: Pop3Entry }> = [];
    this.entries.forEach((entry, i) => {
      if (!this.deleted.has(i + 1)) out.push({ n: i + 1, entry });
    });
    return out;
  }

  /** STAT (RFC 1939 §5): count and octets of the messages not marked deleted */
  stat(): { count: number; octets: number } {
    let octets = 0;
    const v = this.visible();
    for (const { entry } of v) octets += entry.pop3Size;
    return { count: v.length, octets };
  }

  deletedUids(): number[] {
    return [...this.deleted].sort((a, b) => a - b).map((n) => this.entries[n - 1]!.uid);
  }

  uidl(entry: Pop3Entry): string {
    return formatUidl(entry, this.inbox, this.uidlFormat);
  }
}
