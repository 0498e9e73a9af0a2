/** What the delivery filter (./run.ts) is given and returns; shared with ../delivery/deliver.ts. */
import type { StoreError, Account, AccountId } from '../../store/types.js';
import type { Verdict } from '../../spam/verdict.js';
import type { MimeIndex } from '../../mime/types.js';

export type { Verdict };

export interface DeliverOptions {
  returnPath: string;
  /** header fields to prepend below Return-Path/Delivered-To (Received, Authentication-Results) */
  trace?: string;
  internalDate?: Date;
  /** the MIME index of the message, when the caller has it (handed to the store) */
  index?: MimeIndex;
  /** message-level spam verdict (rspamd, DMARC quarantine) */
  verdict?: Verdict;
  /** the account's own verdict (its classifier), merged with `verdict` */
  accountVerdict?: (account: Account) => Promise<Verdict | undefined>;
  /** the RCPT TO address each account was reached by (Sieve's envelope "to" and :detail) */
  rcptFor?: ReadonlyMap<AccountId, string>;
  /** run the accounts' Sieve scripts (default: sieve.enabled) */
  sieve?: boolean;
  /** the authenticated sender (submission): posting into a shared mailbox also counts its own "p" grant */
  poster?: Account;
}

export type LocalResult =
  | { account: Account; uid: number }
  /** nothing stored, on purpose: the script discarded or redirected the message */
  | { account: Account; filtered: 'discarded' | 'redirected' }
  /** the script rejected the message (RFC 5429); the caller refuses it or reports it */
  | { account: Account; rejected: string }
  | { account: Account; error: StoreError };

/** deliverLocal itself, handed to the filter for redirects and replies to local addresses */
export type DeliverLocal = (accounts: Account[], raw: Buffer, opts: DeliverOptions) => Promise<LocalResult[]>;
