/**
 * Shared types of the IMAP session layer: states (RFC 9051 §3), the command table entry
 * shape, and the tagged result every command ends with.
 */
import type { Token } from '../wire/tokens.js';
import type { Session } from './session.js';

/** RFC 9051 §3: connection states */
export type SessionState = 'notauth' | 'auth' | 'selected' | 'logout';

export const ANY_STATE: SessionState[] = ['notauth', 'auth', 'selected'];
export const AUTHED: SessionState[] = ['auth', 'selected'];
export const SELECTED: SessionState[] = ['selected'];

/** the tagged status line a command ends with (RFC 9051 §7.1) */
export interface Tagged {
  status: 'OK' | 'NO' | 'BAD';
  /** response code without brackets, e.g. "NONEXISTENT" or "APPENDUID 1 5" */
  code?: string;
  text: string;
  /** the command already wrote its tagged response (STARTTLS must answer before the handshake) */
  written?: boolean;
}

/** A parsed command line: tag, upper-cased name ("UID FETCH" for UID variants) and its arguments. */
export interface Request {
  tag: string;
  name: string;
  args: Token[];
}

export interface ImapCommand {
  /** upper-case, e.g. "FETCH" or "UID FETCH" */
  name: string;
  /** states in which the command is allowed */
  states: SessionState[];
  /** may be pipelined with other commands (RFC 9051 §5.5); informational: the session runs commands in order */
  pipelineSafe?: boolean;
  /**
   * RFC 9051 §7.5.1: EXPUNGE responses are not sent at the end of FETCH, STORE and SEARCH
   * by sequence number (the client's sequence numbers must stay valid while it pipelines).
   */
  noExpungeAfter?: boolean;
  run(session: Session, req: Request): Promise<Tagged | void>;
}

/** thrown by argument parsers and commands; turned into the tagged response by the session */
export class ImapError extends Error {
  constructor(
    readonly status: 'NO' | 'BAD',
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ImapError';
  }
}

export const bad = (text: string, code?: string): ImapError => new ImapError('BAD', text, code);
export const no = (text: string, code?: string): ImapError => new ImapError('NO', text, code);
export const ok = (text: string, code?: string): Tagged => ({ status: 'OK', text, code });
