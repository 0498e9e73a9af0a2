/**
 * The one place where typed store errors become IMAP responses (RFC 5530 response codes,
 * RFC 9051 §7.1). Commands throw or let StoreError propagate; the session calls
 * `toTagged` for anything a command did not turn into a result itself.
 */
import { StoreError, type StoreErrorCode } from '../../store/types.js';
import { atom } from '../wire/encode.js';
import { WireError } from '../wire/errors.js';
import { ImapError, type Tagged } from './types.js';

const CODES: Record<StoreErrorCode, { code: string; text: string }> = {
  NONEXISTENT: { code: 'NONEXISTENT', text: 'No such mailbox' },
  ALREADYEXISTS: { code: 'ALREADYEXISTS', text: 'Mailbox already exists' },
  NOPERM: { code: 'CANNOT', text: 'Operation not permitted' },
  OVERQUOTA: { code: 'OVERQUOTA', text: 'Quota exceeded' },
  EXPUNGED: { code: 'EXPUNGEISSUED', text: 'Message was expunged' },
  INUSE: { code: 'INUSE', text: 'Mailbox is in use, try again' },
  LIMIT: { code: 'LIMIT', text: 'Limit reached' },
  TEMP: { code: 'UNAVAILABLE', text: 'Temporary failure, try again' },
  INVALID: { code: 'CANNOT', text: 'Invalid argument' },
};

export interface MapOptions {
  /** COPY/MOVE/APPEND target missing: TRYCREATE instead of NONEXISTENT (RFC 9051 §6.3.12, §6.4.7) */
  tryCreate?: boolean;
}

export function storeErrorToTagged(e: StoreError, opts: MapOptions = {}): Tagged {
  const m = CODES[e.code] ?? { code: 'SERVERBUG', text: 'Internal error' };
  const code = e.code === 'NONEXISTENT' && opts.tryCreate ? 'TRYCREATE' : m.code;
  // store messages are written for operators and users; keep them, they say what went wrong
  return { status: 'NO', code: { name: code }, text: e.message || m.text };
}

/** any thrown value → tagged response; `unexpected` is true when it was a bug (log it) */
export function toTagged(err: unknown, opts: MapOptions = {}): { tagged: Tagged; unexpected: boolean } {
  if (err instanceof ImapError) return { tagged: { status: err.status, code: err.code, text: err.message }, unexpected: false };
  if (err instanceof WireError) {
    if (err.code === 'BAD') return { tagged: { status: 'BAD', text: err.message }, unexpected: false };
    // RFC 9051 §7.1 BADCHARSET lists the charsets SEARCH accepts
    const code = err.code === 'BADCHARSET' ? { name: 'BADCHARSET', args: [[atom('UTF-8'), atom('US-ASCII')]] } : { name: err.code };
    return { tagged: { status: 'NO', code, text: err.message }, unexpected: false };
  }
  if (err instanceof StoreError) return { tagged: storeErrorToTagged(err, opts), unexpected: false };
  return { tagged: { status: 'NO', code: { name: 'SERVERBUG' }, text: 'Internal server error; the operator can find details in the log' }, unexpected: true };
}

/** helper for commands whose target mailbox may be missing */
export function rethrowTryCreate(e: unknown): never {
  if (e instanceof StoreError && e.code === 'NONEXISTENT') throw new ImapError('NO', e.message || 'Mailbox does not exist', 'TRYCREATE');
  throw e;
}
