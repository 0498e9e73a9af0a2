/**
 * Shared types of the IMAP session layer: states (RFC 9051 §3), the session as commands see
 * it (ImapSession), the command table entry shape, and the tagged result every command ends
 * with. Nothing here imports the Session class or the command table: src/imap/server.ts
 * hands the table (../commands/index.ts) to each Session, so commands depend on the
 * session layer and never the other way round.
 */
import type { Logger } from 'pino';
import type { ServerContext } from '../../context.js';
import type { SessionHandle } from '../../net/sessions.js';
import type { ConnectionInfo } from '../../net/types.js';
import type { Account, Change } from '../../store/types.js';
import type { NameOptions } from '../wire/args/mailbox.js';
import type { RespCode, Status, WireValue, WireWriter } from '../wire/encode.js';
import type { Token } from '../wire/tokens.js';
import type { SelectedView } from './selected.js';

/** RFC 9051 §3: connection states */
export type SessionState = 'notauth' | 'auth' | 'selected' | 'logout';

export const ANY_STATE: SessionState[] = ['notauth', 'auth', 'selected'];
export const AUTHED: SessionState[] = ['auth', 'selected'];
export const SELECTED: SessionState[] = ['selected'];

/** the tagged status line a command ends with (RFC 9051 §7.1) */
export interface Tagged {
  status: 'OK' | 'NO' | 'BAD';
  code?: RespCode;
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

/**
 * One connection as commands see it. Output goes only through the typed encoders
 * (../wire/encode.ts): untagged(), notice(), tagged(), continuation(), challenge(), or a
 * writer() filled by the command and handed to send().
 */
export interface ImapSession {
  readonly id: string;
  readonly ctx: ServerContext;
  readonly info: ConnectionInfo;
  readonly secure: boolean;
  state: SessionState;
  readonly account: Account | null;
  selected: SelectedView | null;
  /** ENABLEd extensions (RFC 5161), upper-case */
  readonly enabled: Set<string>;
  log: Logger;
  /** what the client called itself in ID (RFC 2971), and its entry in the account's device list */
  client: { name: string | null; device?: string };
  /** this connection in the server's registry of live sessions (ctx.sessions) */
  readonly registration: SessionHandle;
  /** changes that arrive while SELECT takes its snapshot (../session/open.ts) */
  opening: Change[] | null;
  readonly utf8: boolean;
  readonly rev2: boolean;
  readonly qresync: boolean;
  readonly condstore: boolean;
  readonly accountId: number;
  readonly names: NameOptions;
  readonly isClosed: boolean;
  plaintextOk(): boolean;
  appendLimit(): number;

  /** RFC 9586 UIDONLY is enabled: no sequence numbers, UIDFETCH and VANISHED instead */
  readonly uidOnly: boolean;
  /** a FETCH response about `uid` into `w`: `* seq FETCH`, or `* uid UIDFETCH` under UIDONLY; nothing when the view lost it */
  fetchResponse(w: WireWriter, uid: number, items: Array<[string, WireValue]>, view?: SelectedView | null): void;
  /** a writer with this session's encoding options (UTF-8 or not) */
  writer(): WireWriter;
  /** sends what a writer gathered (the writer is empty afterwards) */
  send(w: WireWriter): void;
  /** `* values...` */
  untagged(...values: WireValue[]): void;
  /** an untagged status response: `* OK [code] text`, `* BYE text` */
  notice(status: Status, text: string, code?: RespCode): void;
  /** a tagged status line written now (only STARTTLS needs this before its handshake) */
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: RespCode): void;
  continuation(text: string): void;
  challenge(base64: string): void;
  /** how far a long command is, for INPROGRESS (RFC 9585) */
  progress(done: number, total: number): void;
  /** waits while the socket's buffer is full */
  flush(): Promise<void>;
  /** one raw line from the client (AUTHENTICATE, IDLE's DONE); null when the connection closed */
  readLine(): Promise<string | null>;

  /** a sync point: reports buffered mailbox changes (RFC 9051 §7.5.1) */
  sync(expunge: boolean): Promise<number[]>;
  /** RFC 5267 UPDATE contexts of the selected mailbox, by command tag */
  readonly contexts: Map<string, SearchContextHandle>;
  /** NOTIFY in effect (RFC 5465, ./notify.ts Notifier), or null */
  notifier: NotifierHandle | null;
  /** reports pending NOTIFY events now when no command is running */
  pushNotify(): void;
  announceKeywords(flags: readonly string[]): void;
  deselect(): void;
  /** listens to `owner`'s changes too while its mailbox is selected (null: only the session's own account) */
  watchOwner(owner: number | null): void;
  authenticated(account: Account, credential?: string): void;
  unauthenticated(): void;
  setIdleWake(wake: (() => void) | null): void;
  upgradeTls(): Promise<void>;
  /** COMPRESS=DEFLATE from the next byte on (RFC 4978) */
  startCompression(): void;
  readonly compressed: boolean;
  end(): void;
}

/** a search or sort result kept up to date (RFC 5267 §4, ../commands/search-context.ts) */
export interface SearchContextHandle {
  /** the ESEARCH response with ADDTO / REMOVETO after mailbox changes, or null when nothing changed */
  update(): Promise<WireValue[] | null>;
}

/** what commands and the session use of NOTIFY's state (./notify.ts) */
export interface NotifierHandle {
  readonly hasPending: boolean;
  note(changes: Change[], selectedId: number | null): void;
  subscriptionChanged(name: string, on: boolean): void;
  flush(s: ImapSession): Promise<void>;
}

export interface ImapCommand {
  /** upper-case, e.g. "FETCH" or "UID FETCH" */
  name: string;
  /** states in which the command is allowed */
  states: SessionState[];
  /**
   * RFC 9051 §7.5.1: EXPUNGE responses are not sent at the end of FETCH, STORE and SEARCH
   * by sequence number (the client's sequence numbers must stay valid while it pipelines).
   */
  noExpungeAfter?: boolean;
  /** may run long over a large mailbox: INPROGRESS notices while it runs (RFC 9585, ./progress.ts) */
  progress?: boolean;
  /** takes message sequence numbers: refused with BAD [UIDREQUIRED] after ENABLE UIDONLY (RFC 9586 §3.2) */
  sequenceNumbers?: boolean;
  /** leaves the selected mailbox (CLOSE, UNSELECT): runs even when the rights to read a shared mailbox are gone */
  leavesMailbox?: boolean;
  run(session: ImapSession, req: Request): Promise<Tagged | void>;
}

/** thrown by argument parsers and commands; turned into the tagged response by the session */
export class ImapError extends Error {
  readonly code?: RespCode;
  constructor(
    readonly status: 'NO' | 'BAD',
    message: string,
    code?: string | RespCode,
  ) {
    super(message);
    this.name = 'ImapError';
    this.code = typeof code === 'string' ? { name: code } : code;
  }
}

/** BAD / NO errors; `code` is a bare response-code name ("TRYCREATE") or a typed RespCode */
export const bad = (text: string, code?: string | RespCode): ImapError => new ImapError('BAD', text, code);
export const no = (text: string, code?: string | RespCode): ImapError => new ImapError('NO', text, code);
export const ok = (text: string, code?: RespCode): Tagged => ({ status: 'OK', text, code });
