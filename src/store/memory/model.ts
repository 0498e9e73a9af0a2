/** In-memory data model of the reference backend (see index.ts). */
import type { MimeIndex } from '../../mime/types.js';
import type { Account, Alias, Domain, Flag, QueueItem, SpecialUse } from '../types.js';
import type { KvEntry } from '../kv-types.js';
import type { SortKeys } from '../sort-types.js';

/** Bytes + index + lazily computed search text, shared by copies of one message. */
export interface Body {
  raw: Buffer;
  index: MimeIndex;
  /** SHA-256 hex of raw, recorded when stored (integrity-types.ts) */
  sha256: string;
  text?: { header: string; body: string };
  /** computed when the body is stored (../sort-keys.ts) */
  sortKeys?: SortKeys;
  /** the summarizer's text (../summary-types.ts), made on first read, with the summarizer's version */
  summary?: { version: number; text: string | null };
}

export interface Msg {
  uid: number;
  modseq: number;
  flags: Flag[];
  internalDate: Date;
  guid: string;
  body: Body;
  hiddenFromPop3: boolean;
  /** when it was put into this mailbox (RFC 8514 SAVEDATE) */
  saveDate: Date;
}

export interface Mbox {
  id: number;
  accountId: number;
  name: string;
  specialUse: SpecialUse | null;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** ascending UID */
  msgs: Msg[];
  expunged: Array<{ uid: number; modseq: number }>;
  /** lowest UID still recent for the next claimRecent */
  recentFrom: number;
}

export interface Retained {
  guid: string;
  deletedAt: Date;
  purgeAfter: Date;
  flags: Flag[];
  internalDate: Date;
  body: Body;
}

export interface AccountState {
  account: Account;
  mailboxes: Map<number, Mbox>;
  subscriptions: Set<string>;
  retained: Retained[];
  /** bytes of all messages in the account's mailboxes (quota) */
  used: number;
}

/** who holds a queue item or a lease, until when (ms) */
export interface Claim {
  holder: string;
  until: number;
}

export interface MemoryState {
  domains: Map<string, Domain>;
  accounts: Map<number, AccountState>;
  aliases: Map<string, Alias>;
  queue: Map<string, { item: QueueItem; raw: Buffer; claim?: Claim }>;
  /** leases (../lease-types.ts) by name */
  leases: Map<string, Claim>;
  /** keyed state (../kv-types.ts): "ns\0accountId" (0 = server-wide) → key → entry */
  kv: Map<string, Map<string, KvEntry>>;
  nextAccountId: number;
  nextMailboxId: number;
  lastUidValidity: number;
}
