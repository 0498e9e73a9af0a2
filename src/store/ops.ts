/**
 * The Store contract split into the groups every backend implements in its own files
 * (admin, mailboxes, messages, pop3, queue); each backend's index.ts spreads them into one Store.
 */
import type { Store } from './types.js';

export type AdminOps = Pick<
  Store,
  | 'addDomain'
  | 'getDomain'
  | 'listDomains'
  | 'removeDomain'
  | 'createAccount'
  | 'getAccount'
  | 'getAccountById'
  | 'listAccounts'
  | 'updateAccount'
  | 'deleteAccount'
  | 'usedBytes'
  | 'addAlias'
  | 'removeAlias'
  | 'listAliases'
  | 'resolveRecipient'
>;

export type MailboxOps = Pick<
  Store,
  | 'listMailboxes'
  | 'getMailbox'
  | 'getSpecialMailbox'
  | 'mailboxStatus'
  | 'createMailbox'
  | 'deleteMailbox'
  | 'renameMailbox'
  | 'setSubscribed'
  | 'listSubscriptions'
  | 'claimRecent'
>;

export type MessageOps = Pick<
  Store,
  | 'append'
  | 'appendMany'
  | 'snapshot'
  | 'getMessages'
  | 'getMessagesWithIndex'
  | 'getFlags'
  | 'getSummaries'
  | 'getHeaders'
  | 'getRaw'
  | 'getRawMany'
  | 'storeFlags'
  | 'copy'
  | 'move'
  | 'expunge'
  | 'expungedSince'
  | 'search'
  | 'deliver'
>;

export type Pop3Ops = Pick<Store, 'pop3List' | 'pop3Delete' | 'listRetained' | 'pop3Restore' | 'purgeRetained'>;

export type QueueOps = Pick<
  Store,
  'enqueue' | 'dueQueueItems' | 'getQueueItem' | 'getQueueRaw' | 'updateQueueItem' | 'removeQueueItem' | 'listQueue'
>;

export type { KvOps } from './kv-types.js';
export type { IntegrityOps } from './integrity-types.js';
export type { SortOps } from './sort-types.js';
export type { LeaseOps } from './lease-types.js';
