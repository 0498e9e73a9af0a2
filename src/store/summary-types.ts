/**
 * Summaries: text a protocol derives from a message's MIME index once, when the message is
 * stored, and reads back later without the index or the bytes. IMAP keeps ENVELOPE and
 * BODYSTRUCTURE as they go on the wire (src/imap/commands/fetch-summary.ts), so a client's
 * FETCH 1:* (BODYSTRUCTURE ENVELOPE) of a large mailbox reads small text instead of parsing
 * every message's index. The store keeps the text opaque, beside the message's body (shared
 * by its copies); the summarizer is given when the store is opened (cli/common.ts).
 */
import type { MimeIndex } from '../mime/types.js';
import type { AccountId, MailboxId, MessageMeta, UidSet } from './types.js';

export interface Summarizer {
  /** changes whenever summarize() would write something else: older summaries are made again */
  readonly version: number;
  /** the summary of a message from its MIME index; null when there is nothing worth keeping; never throws */
  summarize(index: MimeIndex): string | null;
}

export interface MessageWithSummary extends MessageMeta {
  /** the stored summary; null when the store has no summarizer or the summarizer gave none */
  summary: string | null;
}

export interface SummaryOps {
  /**
   * Optional (callers fall back to getMessagesWithIndex): metadata and summary of the given
   * UIDs that still exist, ascending. Messages stored before the summarizer was given get
   * theirs computed (and kept) on first read.
   */
  getSummaries?(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<MessageWithSummary[]>;
}
