/**
 * The store contract: what every backend (sqlite/, memory/, later postgres/) promises.
 *
 * Invariants (see ../../../shared/DESIGN.md, "The store contract"):
 * - Async everywhere; protocol code never sees SQL, row ids or backend specifics.
 *   Ids handed out here (AccountId, MailboxId) are opaque numbers, stable for the object's life.
 * - Every mutation is one transaction, committed (and, for durable backends, fsynced)
 *   before its promise resolves; it returns the Change[] it caused. The same changes are
 *   published on the ChangeBus after the commit, in commit order.
 * - UIDs strictly ascend within a mailbox and are never reused under one UIDVALIDITY.
 *   MODSEQ strictly ascends per mailbox; every change to a message or the message set
 *   bumps the mailbox's HIGHESTMODSEQ. Expunged UIDs are remembered with their MODSEQ.
 * - Raw message bytes are kept byte-exact; the MIME index is computed once at append.
 * - Errors are StoreError with a typed code; protocols map the codes in one place each.
 * - One account can never reach another's data: every message/mailbox call takes the
 *   AccountId and the backend checks ownership (a foreign MailboxId is NONEXISTENT).
 */
import type { MimeIndex } from '../mime/types.js';
import type { KvOps } from './kv-types.js';
import type { IntegrityOps } from './integrity-types.js';
import type { SortOps } from './sort-types.js';
import type { LeaseOps } from './lease-types.js';
import type { SummaryOps } from './summary-types.js';

export type AccountId = number;
export type MailboxId = number;

export type StoreErrorCode =
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'NOPERM'
  | 'OVERQUOTA'
  | 'EXPUNGED'
  | 'INUSE'
  | 'LIMIT'
  | 'TEMP'
  | 'INVALID'; // bad argument (bad mailbox name, bad address, ...)

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

// ───────────────────────────── accounts, domains, aliases ─────────────────────────────

/** What POP3 DELE does at QUIT (issue #4). */
export type Pop3DeletePolicy = 'retain' | 'trash' | 'hide' | 'expunge';

export interface Domain {
  name: string; // lower-case, IDNA A-label or UTF-8 as given (lower-cased)
  createdAt: Date;
  /** DKIM selector and PEM private key created by `letterbox domain add` (null if none) */
  dkimSelector: string | null;
  dkimPrivateKey: string | null;
}

export interface Account {
  id: AccountId;
  /** full address, lower-cased: local@domain */
  address: string;
  passwordHash: string; // argon2id PHC string
  /** storage quota in bytes; 0 = unlimited */
  quotaBytes: number;
  /** null = use the configuration default */
  pop3Policy: Pop3DeletePolicy | null;
  createdAt: Date;
}

export interface Alias {
  /** "local@domain", or "@domain" for a catch-all */
  source: string;
  /** destination addresses (local accounts or external addresses) */
  destinations: string[];
}

// ───────────────────────────── mailboxes ─────────────────────────────

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** Hierarchy delimiter for mailbox names. Names are UTF-8; "INBOX" is case-insensitive. */
export const MAILBOX_DELIMITER = '/';

/** Created for every new account. */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

export interface MailboxInfo {
  id: MailboxId;
  accountId: AccountId;
  /** full UTF-8 name with "/" as delimiter; INBOX always spelled "INBOX" */
  name: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  uidValidity: number; // 32-bit, non-zero
  uidNext: number;
  highestModseq: number;
}

export interface MailboxStatus extends MailboxInfo {
  messages: number;
  unseen: number; // messages without \Seen
  deleted: number; // messages with \Deleted
  size: number; // sum of RFC822.SIZE
  /** number of messages with uid >= recentFromUid (see claimRecent) */
  recent: number;
  /** lowest uid without \Seen, or null */
  firstUnseenUid: number | null;
}

// ───────────────────────────── messages ─────────────────────────────

/** System flags as IMAP spells them; keywords are any other atom (case preserved as first seen). */
export type Flag = string;

export interface MessageMeta {
  uid: number;
  modseq: number;
  flags: Flag[]; // system flags (\Seen \Answered \Flagged \Deleted \Draft) and keywords; never \Recent
  internalDate: Date;
  size: number; // raw byte length (RFC822.SIZE)
  /** stable id of this message for the account, kept across moves and POP3 restore; used for POP3 UIDL */
  guid: string;
}

export interface MessageWithIndex extends MessageMeta {
  index: MimeIndex;
}

/** Compact view for SELECT of large mailboxes: parallel arrays, in ascending UID order. */
export interface MailboxSnapshot {
  uids: Uint32Array;
  /** modseq of each message, same order (for CONDSTORE/QRESYNC) */
  modseqs: Float64Array;
  /** keywords (non-system flags) set on some message, when the backend knows them cheaply */
  keywords?: string[];
}

export interface AppendInput {
  raw: Buffer;
  flags?: Flag[];
  internalDate?: Date;
  /** precomputed index (delivery to many recipients parses once); computed when absent */
  index?: MimeIndex;
}

export interface AppendResult {
  uidValidity: number;
  uid: number;
  changes: Change[];
}

/** A set of UIDs: sorted ascending, duplicates removed. Ranges may use Infinity as "*". */
export type UidSet = Array<number | [number, number]>;

export type FlagOp = 'add' | 'remove' | 'replace';

export interface StoreFlagsResult {
  /** messages whose flags changed (and their new state) */
  updated: Array<{ uid: number; flags: Flag[]; modseq: number }>;
  /** CONDSTORE UNCHANGEDSINCE failures (RFC 7162 §3.1.3) */
  failed: number[];
  changes: Change[];
}

export interface CopyResult {
  uidValidity: number; // of the destination
  /** [sourceUid, destinationUid] in ascending source order */
  mapping: Array<[number, number]>;
  changes: Change[];
}

// ───────────────────────────── search ─────────────────────────────

/**
 * Backend-neutral search (RFC 9051 §6.4.4). Sequence numbers are resolved to UIDs by the
 * IMAP session before the query reaches the store. String matches are case-insensitive
 * substring matches over decoded UTF-8 text. `fuzzy` (RFC 6203 FUZZY) lets a backend match
 * loosely; the shared meaning (search.ts fuzzyToExact) is "every word of the string occurs,
 * in any order", which a backend with real text search may widen.
 */
export type SearchQuery =
  | { op: 'all' }
  | { op: 'and'; of: SearchQuery[] }
  | { op: 'or'; of: [SearchQuery, SearchQuery] }
  | { op: 'not'; of: SearchQuery }
  | { op: 'uid'; set: UidSet }
  | { op: 'flag'; flag: Flag; set: boolean } // e.g. SEEN → {flag:'\\Seen', set:true}, UNSEEN → set:false; KEYWORD x
  | { op: 'internaldate'; cmp: 'before' | 'on' | 'since'; date: string } // date "YYYY-MM-DD" (timezone ignored per RFC)
  | { op: 'sentdate'; cmp: 'before' | 'on' | 'since'; date: string } // from the Date: header
  | { op: 'size'; cmp: 'larger' | 'smaller'; n: number }
  | { op: 'header'; field: string; value: string; fuzzy?: boolean } // field lower-cased; value "" matches presence
  | { op: 'body'; value: string; fuzzy?: boolean } // decoded text of body parts
  | { op: 'text'; value: string; fuzzy?: boolean } // header + body
  | { op: 'modseq'; min: number }; // CONDSTORE MODSEQ n

// ───────────────────────────── changes ─────────────────────────────

interface ChangeBase {
  accountId: AccountId;
  mailboxId: MailboxId;
  /** the mailbox's HIGHESTMODSEQ after this change */
  modseq: number;
  /** opaque tag of whoever made the change (an IMAP session id), so it can skip its own echoes */
  origin?: string;
}

export type Change =
  | (ChangeBase & { kind: 'exists'; uid: number; flags: Flag[] })
  | (ChangeBase & { kind: 'flags'; uid: number; flags: Flag[] })
  | (ChangeBase & { kind: 'expunge'; uids: number[] })
  | (ChangeBase & { kind: 'mailbox-created'; name: string })
  | (ChangeBase & { kind: 'mailbox-deleted'; name: string })
  | (ChangeBase & { kind: 'mailbox-renamed'; name: string; oldName: string })
  /**
   * Something happened to the account itself (mailboxId and modseq are 0): `removed`
   * (deleteAccount), `password` (updateAccount with a new password hash),
   * `credential-revoked` (one credential, e.g. an app password, no longer valid). The
   * session registry (src/net/sessions.ts) ends the account's sessions on these; `origin`
   * names a session to spare (the one that made the change).
   */
  | (ChangeBase & { kind: 'account'; event: 'removed' | 'password' | 'credential-revoked'; credential?: string })
  /**
   * METADATA entries (RFC 5464) changed: of the mailbox `mailboxId`, or of the server when it
   * is 0 (modseq 0: entries are no message state). `entries` are their names. Published by
   * the keyed-state write that stores them (KvOps `announce`), so every process hears it.
   */
  | (ChangeBase & { kind: 'metadata'; entries: string[] });

export type ChangeListener = (changes: Change[]) => void;

/** In-process now; pluggable (worker processes, PostgreSQL LISTEN/NOTIFY) later. */
export interface ChangeBus {
  /** listen to one account's changes; returns an unsubscribe function */
  subscribe(accountId: AccountId, listener: ChangeListener): () => void;
  publish(changes: Change[]): void;
}

/** Options every mutation accepts. */
export interface MutationOptions {
  /** copied into every Change this mutation produces */
  origin?: string;
}

// ───────────────────────────── outbound queue ─────────────────────────────

export interface QueueItem {
  id: string;
  /** envelope sender ("" for the null sender of DSNs) */
  from: string;
  /** recipients still to deliver */
  recipients: string[];
  createdAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  lastError: string | null;
  /** account that submitted it (for DSN and limits); null for DSNs and forwarded mail */
  accountId: AccountId | null;
  /** last time a delay warning DSN was sent, or null */
  warnedAt: Date | null;
  size: number;
}

// ───────────────────────────── POP3 ─────────────────────────────

export interface Pop3Entry {
  uid: number; // INBOX UID
  size: number; // raw byte length
  /** size as sent over POP3 (bare LF counted as CRLF) = size + index.bareLf */
  pop3Size: number;
  guid: string;
}

export interface RetainedMessage {
  guid: string;
  deletedAt: Date;
  purgeAfter: Date;
  size: number;
  subject: string | null;
}

// ───────────────────────────── the store ─────────────────────────────

/**
 * The whole contract. Feature groups that live in files of their own are added with `extends`
 * (kv-types.ts: small keyed state for features; integrity-types.ts: content hashes, storage
 * checks and UID-keeping import for verify and migrations).
 */
export interface Store extends KvOps, IntegrityOps, SortOps, LeaseOps, SummaryOps {
  readonly bus: ChangeBus;

  // domains
  addDomain(name: string, dkim?: { selector: string; privateKey: string }): Promise<Domain>;
  getDomain(name: string): Promise<Domain | null>;
  listDomains(): Promise<Domain[]>;
  /** NOPERM when accounts or aliases still use it (message says which) */
  removeDomain(name: string): Promise<void>;

  // accounts
  /** creates the account and its DEFAULT_MAILBOXES; domain must exist (NONEXISTENT) */
  createAccount(address: string, passwordHash: string, opts?: { quotaBytes?: number }): Promise<Account>;
  getAccount(address: string): Promise<Account | null>;
  getAccountById(id: AccountId): Promise<Account | null>;
  listAccounts(domain?: string): Promise<Account[]>;
  /** a new passwordHash publishes an `account`/`password` change (live sessions end, but opts.origin's) */
  updateAccount(
    id: AccountId,
    patch: Partial<Pick<Account, 'passwordHash' | 'quotaBytes' | 'pop3Policy'>>,
    opts?: MutationOptions,
  ): Promise<Account>;
  /** removes the account and all its data; publishes an `account`/`removed` change */
  deleteAccount(id: AccountId, opts?: MutationOptions): Promise<void>;
  /** bytes used by all the account's messages (for quota and STATUS SIZE) */
  usedBytes(id: AccountId): Promise<number>;

  // aliases
  addAlias(source: string, destinations: string[]): Promise<Alias>;
  removeAlias(source: string): Promise<void>;
  listAliases(domain?: string): Promise<Alias[]>;
  /**
   * Resolves a recipient address to local accounts and external addresses: exact account,
   * then exact alias, then plus-addressing (user+tag@ → user@), then catch-all "@domain".
   * Aliases may chain (depth limit 10). Returns null when the domain is not ours or nothing matches.
   */
  resolveRecipient(address: string): Promise<{ accounts: Account[]; external: string[] } | null>;

  // mailboxes
  listMailboxes(accountId: AccountId): Promise<MailboxInfo[]>;
  /** by name (INBOX case-insensitive); null when absent */
  getMailbox(accountId: AccountId, name: string): Promise<MailboxInfo | null>;
  /** by special-use attribute (first match), null when none */
  getSpecialMailbox(accountId: AccountId, use: SpecialUse): Promise<MailboxInfo | null>;
  mailboxStatus(accountId: AccountId, mailboxId: MailboxId, recentFromUid?: number): Promise<MailboxStatus>;
  createMailbox(
    accountId: AccountId,
    name: string,
    opts?: MutationOptions & { specialUse?: SpecialUse | null },
  ): Promise<Change[]>;
  /** deleting INBOX is NOPERM; children stay (RFC 9051 §6.3.5) */
  deleteMailbox(accountId: AccountId, name: string, opts?: MutationOptions): Promise<Change[]>;
  /**
   * Renames the mailbox and its children. Renaming INBOX moves all its messages into a
   * new mailbox with the new name and leaves INBOX empty (RFC 9051 §6.3.6).
   */
  renameMailbox(accountId: AccountId, oldName: string, newName: string, opts?: MutationOptions): Promise<Change[]>;
  /** subscriptions are kept by name and may name mailboxes that do not exist */
  setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void>;
  listSubscriptions(accountId: AccountId): Promise<string[]>;
  /**
   * IMAP4rev1 \Recent: returns the lowest UID that is recent for the caller (every message
   * with uid >= it is recent for the caller) and marks everything up to uidNext as no
   * longer recent for anyone else.
   */
  claimRecent(accountId: AccountId, mailboxId: MailboxId): Promise<number>;

  // messages
  append(accountId: AccountId, mailboxId: MailboxId, input: AppendInput, opts?: MutationOptions): Promise<AppendResult>;
  /** MULTIAPPEND: all or nothing, one transaction */
  appendMany(accountId: AccountId, mailboxId: MailboxId, inputs: AppendInput[], opts?: MutationOptions): Promise<AppendResult[]>;
  /** UIDs + modseqs of every message, ascending (SELECT) */
  snapshot(accountId: AccountId, mailboxId: MailboxId): Promise<MailboxSnapshot>;
  /** metadata of the given UIDs that still exist, ascending */
  getMessages(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<MessageMeta[]>;
  /** metadata plus MIME index */
  getMessagesWithIndex(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<MessageWithIndex[]>;
  /**
   * Optional, for FETCH (UID FLAGS MODSEQ) of large mailboxes: uid, modseq and flags of the
   * given UIDs that still exist, ascending (the same values getMessages returns, cheaper).
   */
  getFlags?(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<Array<Pick<MessageMeta, 'uid' | 'modseq' | 'flags'>>>;
  /** the stored bytes, byte-exact; EXPUNGED when the message is gone */
  getRaw(accountId: AccountId, mailboxId: MailboxId, uid: number): Promise<Buffer>;
  /**
   * The stored bytes of several messages in one read (POP3 reads the bodies of a pipelined
   * window of RETRs at once), byte-exact as getRaw: one entry per asked UID, in the order asked,
   * null for a UID the mailbox does not hold (expunged). NONEXISTENT as getRaw for a mailbox
   * that is not the account's.
   */
  getRawMany(accountId: AccountId, mailboxId: MailboxId, uids: readonly number[]): Promise<Array<Buffer | null>>;
  storeFlags(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids: UidSet,
    op: FlagOp,
    flags: Flag[],
    opts?: MutationOptions & { unchangedSince?: number },
  ): Promise<StoreFlagsResult>;
  copy(accountId: AccountId, fromId: MailboxId, uids: UidSet, toId: MailboxId, opts?: MutationOptions): Promise<CopyResult>;
  /** copy + expunge from the source, one transaction */
  move(accountId: AccountId, fromId: MailboxId, uids: UidSet, toId: MailboxId, opts?: MutationOptions): Promise<CopyResult>;
  /**
   * Expunges messages that have \Deleted (restricted to `uids` when given: UID EXPUNGE).
   * Returns the expunged UIDs ascending.
   */
  expunge(
    accountId: AccountId,
    mailboxId: MailboxId,
    uids?: UidSet,
    opts?: MutationOptions,
  ): Promise<{ uids: number[]; changes: Change[] }>;
  /** UIDs expunged after `modseq` (QRESYNC VANISHED (EARLIER)) */
  expungedSince(accountId: AccountId, mailboxId: MailboxId, modseq: number): Promise<number[]>;
  /** UIDs matching, ascending */
  search(accountId: AccountId, mailboxId: MailboxId, query: SearchQuery): Promise<number[]>;

  /**
   * Delivery (SMTP): one raw message to several local mailboxes, one commit, parsed once.
   * Each target's copy is its `prefix` (whole CRLF-terminated header fields: Return-Path,
   * Delivered-To, trace fields) followed by `raw`; the copy's index is derived from raw's by
   * offset (src/mime/prefix.ts), so a message to many recipients is never indexed twice.
   */
  deliver(
    targets: Array<{ accountId: AccountId; mailboxId?: MailboxId; flags?: Flag[]; prefix?: Buffer }>,
    raw: Buffer,
    /** `index`: the MIME index of `raw` when the caller parsed it already (the spam classifier), so it is not parsed twice */
    opts?: { internalDate?: Date; index?: MimeIndex },
  ): Promise<Array<{ accountId: AccountId; mailboxId: MailboxId; uid: number } | { accountId: AccountId; error: StoreError }>>;

  // POP3 (issue #4)
  /** the POP3 maildrop: INBOX minus messages hidden from POP3, ascending UID */
  pop3List(accountId: AccountId): Promise<Pop3Entry[]>;
  /** applies DELE at QUIT per policy; uids that vanished meanwhile are ignored */
  pop3Delete(
    accountId: AccountId,
    uids: number[],
    policy: Pop3DeletePolicy,
    retentionDays: number,
    opts?: MutationOptions,
  ): Promise<Change[]>;
  listRetained(accountId: AccountId): Promise<RetainedMessage[]>;
  /** brings retained messages (all, or the given guids) back into INBOX byte-exact; returns how many */
  pop3Restore(accountId: AccountId, guids?: string[]): Promise<number>;
  /** deletes retained messages whose purgeAfter <= now; returns how many */
  purgeRetained(now: Date): Promise<number>;

  // outbound queue (issue #5)
  enqueue(item: { from: string; recipients: string[]; raw: Buffer; accountId: AccountId | null }): Promise<QueueItem>;
  /** items whose nextAttemptAt <= now */
  dueQueueItems(now: Date, limit: number): Promise<QueueItem[]>;
  getQueueItem(id: string): Promise<QueueItem | null>;
  getQueueRaw(id: string): Promise<Buffer>;
  updateQueueItem(
    id: string,
    patch: Partial<Pick<QueueItem, 'recipients' | 'nextAttemptAt' | 'attempts' | 'lastError' | 'warnedAt'>>,
  ): Promise<void>;
  removeQueueItem(id: string): Promise<void>;
  listQueue(): Promise<QueueItem[]>;

  /** flushes pending group commits and closes; further calls fail with TEMP */
  close(): Promise<void>;
}
