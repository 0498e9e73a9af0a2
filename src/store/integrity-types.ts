/**
 * What `letterbox verify` and migrations need from a backend beyond the protocol paths
 * (issue 9): the content hash recorded when a message was stored, the backend's own
 * storage checks, and appending with the UIDs another server gave the messages.
 */
import type { AccountId, AppendInput, AppendResult, MailboxId, MutationOptions, UidSet } from './types.js';

export interface ImportInput extends AppendInput {
  /** the UID to give this message (must be >= the mailbox's uidNext and ascend); absent = next free one */
  uid?: number;
}

export interface IntegrityOps {
  /**
   * SHA-256 (lower-case hex) of each message's raw bytes as recorded when it was stored
   * (null when the backend has none), for the given UIDs that still exist, ascending.
   */
  contentHashes(accountId: AccountId, mailboxId: MailboxId, uids: UidSet): Promise<Array<{ uid: number; sha256: string | null }>>;
  /**
   * The backend's own consistency checks that the contract cannot see (SQLite: the file's
   * integrity and foreign keys, counters kept by triggers, message rows against their
   * mailbox, hashes of POP3-retained bodies, orphaned bodies). One sentence per problem;
   * [] when all is well.
   */
  checkStorage(): Promise<string[]>;
  /**
   * Appends messages keeping the UIDs they had elsewhere, so IMAP clients and Dovecot-style
   * POP3 UIDLs (uid + uidvalidity) keep working after a migration. All or nothing, like
   * appendMany. Given `uid`s must ascend and be >= uidNext (INVALID otherwise). `uidValidity`
   * is adopted only while the mailbox has never held a message (uidNext = 1); otherwise INVALID.
   */
  importMessages(
    accountId: AccountId,
    mailboxId: MailboxId,
    inputs: ImportInput[],
    opts?: MutationOptions & { uidValidity?: number },
  ): Promise<AppendResult[]>;
}
