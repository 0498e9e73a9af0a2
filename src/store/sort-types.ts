/**
 * Keys computed once when a message is stored (src/store/sort-keys.ts) and kept with it:
 * sort and thread keys (RFC 5256 SORT/THREAD, RFC 5957 DISPLAYFROM/DISPLAYTO) and the
 * preview (RFC 8970), so SORT, THREAD and FETCH PREVIEW of a large mailbox read these small
 * rows and never the message bodies.
 *
 * SORT asks the store for the order itself (sortUids): a backend orders in its query engine
 * (SQLite, PostgreSQL: ORDER BY over typed key columns) and hands back UIDs only; THREAD reads
 * the compact thread rows (threadRows). A backend without a better way answers both from
 * sortRows with the shared helpers of ./sort-order.ts (orderRows), as the memory backend does.
 */
import type { AccountId, MailboxId, UidSet } from './types.js';

/** what is derived from the message's bytes (the same for every copy of it) */
export interface SortKeys {
  /** the Date: header as UTC milliseconds (RFC 5256 §2.2), null when missing or unparsable */
  sentDate: number | null;
  /** RFC 5256 §2.1 base subject, case-mapped (i;unicode-casemap) */
  subject: string;
  /** the subject shows a reply or forward (RFC 5256 §3) */
  replyOrForward: boolean;
  /** addr-mailbox of the first From / To / Cc address, case-mapped; "" when none */
  from: string;
  to: string;
  cc: string;
  /** RFC 5957: display name of the first From / To address, else its addr-spec; case-mapped */
  displayFrom: string;
  displayTo: string;
  /** Message-ID without angle brackets, null when missing or invalid */
  messageId: string | null;
  /** parent ids for threading: References, else the first id of In-Reply-To (oldest first) */
  references: string[];
  /** RFC 8970 preview: the start of the first text part, whitespace collapsed, ≤ 256 characters */
  preview: string;
}

/** what THREAD reads of a message (RFC 5256 §3): a subset of SortRow */
export interface ThreadRow {
  uid: number;
  /** INTERNALDATE, UTC milliseconds (the sent date when the Date: header is unusable) */
  internalDate: number;
  sentDate: number | null;
  subject: string;
  replyOrForward: boolean;
  messageId: string | null;
  references: string[];
}

/** one message of a mailbox as SORT and THREAD see it */
export interface SortRow extends SortKeys, ThreadRow {
  uid: number;
  /** INTERNALDATE, UTC milliseconds (SORT ARRIVAL, and DATE when the header is unusable) */
  internalDate: number;
  /** RFC822.SIZE */
  size: number;
  /** when the message was saved into this mailbox (RFC 8514 SAVEDATE), UTC ms; null when unknown */
  saveDate: number | null;
}

/** RFC 5256 sort keys, with RFC 5957's DISPLAYFROM / DISPLAYTO */
export type SortKeyName = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';

export interface SortCriterion {
  key: SortKeyName;
  reverse: boolean;
}

export interface SortOps {
  /** the sort rows of the mailbox's messages (all, or those of `uids` that exist), ascending UID */
  sortRows(accountId: AccountId, mailboxId: MailboxId, uids?: UidSet): Promise<SortRow[]>;
  /**
   * The UIDs of every message of the mailbox in RFC 5256 SORT order of `criteria`:
   * - ARRIVAL is INTERNALDATE; DATE the sent date, or INTERNALDATE when it is null (§2.2);
   *   SIZE is RFC822.SIZE; the others compare the stored case-mapped strings;
   * - strings compare by Unicode code point (the octets of their UTF-8 form, i;octet over
   *   the i;unicode-casemap keys: SQLite's BINARY collation, PostgreSQL's COLLATE "C");
   * - REVERSE turns that key's order around; messages equal on every key stay in mailbox
   *   order (ascending UID), REVERSE or not.
   */
  sortUids(accountId: AccountId, mailboxId: MailboxId, criteria: readonly SortCriterion[]): Promise<number[]>;
  /** the thread rows of every message of the mailbox, ascending UID (a SortRow[] is one); read-only (a backend may share them between calls) */
  threadRows(accountId: AccountId, mailboxId: MailboxId): Promise<ThreadRow[]>;
}
