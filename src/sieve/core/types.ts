/**
 * What the interpreter needs from the outside world (SieveEnvironment) and what it hands
 * back (SieveResult). The interpreter does no I/O of its own: delivery builds the
 * environment over the store (src/smtp/filter/), tests build it over plain data.
 */
import type { MimeIndex } from '../../mime/types.js';

export interface SieveLimits {
  /** actions (fileinto, redirect, keep, vacation, …) one run may take */
  maxActions: number;
  /** redirect actions one run may take */
  maxRedirects: number;
  /** include nesting */
  maxIncludeDepth: number;
  /** milliseconds of interpreter time per run (waiting on the environment not counted) */
  cpuMs: number;
  /** vacation period bounds in seconds (values outside are clamped) */
  vacationMinSeconds: number;
  vacationMaxSeconds: number;
  /** duplicate tracking period bounds in seconds */
  duplicateMaxSeconds: number;
}

export const DEFAULT_LIMITS: SieveLimits = {
  maxActions: 32,
  maxRedirects: 4,
  maxIncludeDepth: 10,
  cpuMs: 1000,
  vacationMinSeconds: 86400,
  vacationMaxSeconds: 90 * 86400,
  duplicateMaxSeconds: 7 * 86400,
};

/** The message being delivered, as stored (trace fields included). */
export interface SieveMessage {
  raw: Buffer;
  /** its MIME index; called only by tests that look at the body (computed on first use) */
  index(): MimeIndex;
}

export interface SieveEnvelope {
  /** MAIL FROM, "" for the null sender */
  from: string;
  /** the RCPT TO address this copy is delivered for (may carry a +detail) */
  to: string;
}

export interface SpamVerdict {
  junk: boolean;
  /** the spam score, when a scanner gave one */
  score?: number;
  /** the score at which mail counts as spam */
  threshold?: number;
}

export interface SieveEnvironment {
  message: SieveMessage;
  envelope: SieveEnvelope;
  /** the account's own address (vacation :addresses default, loop checks) */
  user: string;
  /** mailbox names that exist (INBOX spelled "INBOX") and their ids (RFC 9042); asked only by the tests that need them */
  mailboxes(): Promise<ReadonlyArray<{ name: string; id: string }>> | ReadonlyArray<{ name: string; id: string }>;
  now(): Date;
  spam?: SpamVerdict | null;
  /** true when the duplicate id was seen (and not expired); records are written after delivery */
  seenDuplicate(id: string): Promise<boolean> | boolean;
  /** the text of a stored script (RFC 6609 include), null when there is none */
  loadScript(name: string, location: 'personal' | 'global'): Promise<string | null> | string | null;
  limits: SieveLimits;
}

/** header edits made by editheader before an action: the message bytes to use, or null for the original */
export type EditedRaw = Buffer | null;

export type SieveAction =
  | { type: 'keep'; flags: string[]; raw: EditedRaw; implicit: boolean }
  | { type: 'fileinto'; mailbox: string; flags: string[]; create: boolean; mailboxId: string | null; raw: EditedRaw }
  | { type: 'redirect'; address: string; raw: EditedRaw }
  | { type: 'discard' }
  | { type: 'reject'; reason: string; extended: boolean }
  | {
      type: 'vacation';
      /** tracking key: handle and sender */
      handle: string;
      to: string;
      from: string | null;
      subject: string;
      reason: string;
      mime: boolean;
      seconds: number;
      /** the original's Message-ID and References, for In-Reply-To / References (RFC 3834 §3.1.3) */
      messageId: string | null;
      references: string | null;
    };

export interface SieveResult {
  actions: SieveAction[];
  /** duplicate ids to remember once the message is delivered (RFC 7352 §3), with their lifetime */
  duplicates: Array<{ id: string; seconds: number }>;
  /** things the operator may want to see (skipped vacation, ignored protected header, …) */
  notes: string[];
}
