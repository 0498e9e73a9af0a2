/**
 * Per-connection and per-transaction state kept beside smtp-server's session object.
 * The session object lives as long as the connection; its `envelope` object is replaced
 * on every RSET/EHLO/after DATA, so transaction state keyed by the envelope cannot leak
 * into the next transaction.
 */
import type { SMTPServerEnvelope, SMTPServerSession } from 'smtp-server';
import type { Account } from '../../store/types.js';
import type { ConnectionInfo } from '../../net/types.js';
import type { SessionHandle } from '../../net/sessions.js';

export interface SessionState {
  info: ConnectionInfo;
  /** the authenticated account (submission) */
  account: Account | null;
  /** how it authenticated: 'password' or an app password's id (src/net/sessions.ts) */
  credential: string | null;
  /** the entry in ctx.sessions (submission only) */
  registration: SessionHandle | null;
  /** this connection was counted against the per-IP connection limit */
  counted: boolean;
  /** reverse DNS findings, looked up once per connection from its start (./inbound/checks.ts) */
  ptr?: Promise<string[]>;
}

/** one accepted RCPT on port 25: what it resolved to */
export interface ResolvedRecipient {
  rcpt: string;
  accounts: Account[];
  external: string[];
}

export interface Transaction {
  recipients: ResolvedRecipient[];
}

const sessions = new WeakMap<SMTPServerSession, SessionState>();
const transactions = new WeakMap<SMTPServerEnvelope, Transaction>();

export function sessionState(session: SMTPServerSession, listener: string, startTls: boolean): SessionState {
  let s = sessions.get(session);
  if (!s) {
    s = {
      info: {
        listener,
        secure: session.secure,
        startTls,
        remoteAddress: session.remoteAddress,
        remotePort: session.remotePort,
        id: session.id,
      },
      account: null,
      credential: null,
      registration: null,
      counted: false,
    };
    sessions.set(session, s);
  }
  s.info.secure = session.secure;
  return s;
}

export function transaction(session: SMTPServerSession): Transaction {
  let t = transactions.get(session.envelope);
  if (!t) {
    t = { recipients: [] };
    transactions.set(session.envelope, t);
  }
  return t;
}

/** "user@Example.COM" → "user@example.com"; the local part keeps its case only for display */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
