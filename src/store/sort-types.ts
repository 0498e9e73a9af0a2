/**
 * Keys computed once when a message is stored (src/store/sort-keys.ts) and kept with it:
 * sort and thread keys (RFC 5256 SORT/THREAD, RFC 5957 DISPLAYFROM/DISPLAYTO) and the
 * preview (RFC 8970), so SORT, THREAD and FETCH PREVIEW of a large mailbox read these small
 * rows and never the message bodies.
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

/** one message of a mailbox as SORT and THREAD see it */
export interface SortRow extends SortKeys {
  uid: number;
  /** INTERNALDATE, UTC milliseconds (SORT ARRIVAL, and DATE when the header is unusable) */
  internalDate: number;
  /** RFC822.SIZE */
  size: number;
  /** when the message was saved into this mailbox (RFC 8514 SAVEDATE), UTC ms; null when unknown */
  saveDate: number | null;
}

export interface SortOps {
  /** the sort rows of the mailbox's messages (all, or those of `uids` that exist), ascending UID */
  sortRows(accountId: AccountId, mailboxId: MailboxId, uids?: UidSet): Promise<SortRow[]>;
}
