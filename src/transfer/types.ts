/**
 * What every import source hands to the importer (sink.ts), and what the importer
 * reports: folders of messages read one at a time, so memory stays bounded by one batch.
 */
import type { Flag, SpecialUse } from '../store/types.js';

export interface SourceMessage {
  /** the message as it will be stored (line endings already made CRLF where the source uses LF) */
  raw: Buffer;
  flags: Flag[];
  internalDate?: Date;
  /** the UID the message had at the source (kept when the target mailbox allows it) */
  uid?: number;
}

export interface SourceFolder {
  /** UTF-8 name with "/" as the hierarchy delimiter; "INBOX" for the inbox */
  name: string;
  /** the special use the source declared (IMAP SPECIAL-USE), if any */
  specialUse?: SpecialUse | null;
  /** the source's UIDVALIDITY when its messages carry UIDs worth keeping */
  uidValidity?: number;
  subscribed?: boolean;
  /** number of messages (for progress), when known without reading them */
  count?: number;
  messages(): AsyncIterable<SourceMessage>;
}

/** Progress as the CLI draws it (src/cli/progress.ts); absent in library use. */
export interface TransferProgress {
  addTotal(n: number): void;
  advance(n: number, note: string): void;
}

export interface FolderReport {
  source: string;
  target: string;
  imported: number;
  /** already present in the target (same bytes), not imported again */
  duplicates: number;
  /** true when the source's UIDs and UIDVALIDITY were kept */
  uidsKept: boolean;
  notes: string[];
}

/** Something the operator can fix (a path, a name); the CLI prints its message alone. */
export class TransferError extends Error {
  override name = 'TransferError';
}
