/**
 * Summaries: text a protocol derives from a message's MIME index once, when the message is
 * stored, and reads back later without the index or the bytes. IMAP keeps ENVELOPE and
 * BODYSTRUCTURE as they go on the wire (src/imap/commands/fetch-summary.ts), so a client's
 * FETCH 1:* (BODYSTRUCTURE ENVELOPE) of a large mailbox reads small text instead of parsing
 * every message's index. The store keeps the text opaque, beside the message's body (shared
 * by its copies); the summarizer is given when the store is opened (cli/common.ts).
 * Likewise each body's own header block is kept apart (getHeaders), so the header sections
 * a client's message list asks for are read without the bodies.
 */
import type { MimeIndex } from '../mime/types.js';
import type { AccountId, MailboxId, MessageMeta, MessageWithIndex, UidSet } from './types.js';

export interface Summarizer {
  /** changes whenever summarize() would write something else: older summaries are made again */
  readonly version: number;
  /** the summary of a message from its MIME index; null when there is nothing worth keeping; never throws */
  summarize(index: MimeIndex): string | null;
}

export interface MessageWithSummary extends MessageMeta {
  /**
   * the stored summary; null when the store has no summarizer or the summarizer gave none,
   * or when the caller said it holds the summary of `summaryKey` already (`known`)
   */
  summary: string | null;
  /**
   * optional: the stored body's key. The same key always stands for the same summary (bodies
   * never change and a key is never given to another body), so a caller may keep what it made
   * of a summary by this key, in this process, for as long as it likes
   */
  summaryKey?: number;
}

export interface SummaryReadOptions {
  /** summary keys whose text the caller holds: their rows come back with summary null */
  known?(key: number): boolean;
}

export interface MessageWithHeader extends MessageWithIndex {
  /**
   * the message's own header block, the stored bytes [0, index.root.bodyStart) (blank line
   * included): offsets of the index below bodyStart apply to it as to the whole message
   */
  header: Buffer;
}

export interface SummaryOps {
  /**
   * Optional (callers fall back to getMessagesWithIndex): metadata and summary of the given
   * UIDs that still exist, ascending. Messages stored before the summarizer was given get
   * theirs computed (and kept) on first read.
   */
  getSummaries?(accountId: AccountId, mailboxId: MailboxId, uids: UidSet, opts?: SummaryReadOptions): Promise<MessageWithSummary[]>;
  /**
   * Optional (callers fall back to getMessagesWithIndex + getRaw): metadata, MIME index and
   * header block of the given UIDs that still exist, ascending, without reading the bodies:
   * FETCH BODY[HEADER.FIELDS (...)] of a mailbox (every client's message list) reads small
   * rows instead of every message. The header block is kept apart when a body is stored;
   * bodies stored before that get it on first read.
   */
  getHeaders?(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<MessageWithHeader[]>;
}
