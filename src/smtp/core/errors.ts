/**
 * Every SMTP reply letterbox chooses itself, and the one mapping from StoreError codes to
 * SMTP replies (DESIGN.md: typed store errors map to protocol codes in one place).
 *
 * smtp-server prefixes replies with an enhanced status code (RFC 3463, RFC 2034) taken
 * from a fixed table keyed by the reply code, which would turn "554 relay denied" into
 * 554 5.6.0. `fail()` records the enhanced code we want on the session and the library's
 * code lookup (patched once, below) takes it from there.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPServerSession } from 'smtp-server';
import { StoreError } from '../../store/types.js';

export class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    readonly enhanced: string,
    text: string,
  ) {
    super(text);
    this.name = 'SmtpReplyError';
  }
  override toString(): string {
    return `${this.responseCode} ${this.enhanced} ${this.message}`;
  }
}

const r = (code: number, enhanced: string, text: string) => () => new SmtpReplyError(code, enhanced, text);

/** The replies, in one table. RFC 5321 §4.2.3 reply codes, RFC 3463 enhanced codes. */
export const Replies = {
  // RFC 5321 §3.6.2 / §7.1: port 25 never relays
  relayDenied: r(554, '5.7.1', 'Relay access denied: this server only accepts mail for its own domains'),
  unknownUser: r(550, '5.1.1', 'No such user here'),
  badAddress: r(501, '5.1.3', 'Bad recipient address syntax'),
  // RFC 6409 §6.1: submission requires the account to own the sender
  senderNotOwned: r(553, '5.7.1', 'Sender address is not owned by the authenticated account'),
  fromHeaderNotOwned: r(553, '5.7.1', 'From: header address is not owned by the authenticated account'),
  fromHeaderMissing: r(550, '5.6.0', 'Message has no From: header'),
  // RFC 5322 §3.6: exactly one From, at most one Sender
  fromHeaderRepeated: r(550, '5.6.0', 'Message has more than one From: or Sender: header field'),
  senderHeaderNotOwned: r(553, '5.7.1', 'Sender: header address is not owned by the authenticated account'),
  // RFC 5322 §2.2 / RFC 5321 §2.3.8: lines end in CRLF; a bare CR or LF can hide a header field
  bareLineBreak: r(550, '5.6.0', 'Message header contains a bare CR or LF; header lines must end in CRLF'),
  nullSenderNotAllowed: r(553, '5.7.1', 'The null sender is not allowed on submission'),
  authRequired: r(530, '5.7.0', 'Authentication required'),
  authInvalid: r(535, '5.7.8', 'Authentication credentials invalid'),
  authThrottled: r(454, '4.7.0', 'Too many failed logins, try again later'),
  authTemp: r(454, '4.7.0', 'Temporary authentication failure'),
  tlsRequired: r(538, '5.7.11', 'Must issue a STARTTLS command first'),
  tooManyConnections: r(421, '4.7.0', 'Too many connections from your address, try again later'),
  listenerFull: r(421, '4.3.2', 'Too many connections, try again later'),
  ipRateLimited: r(450, '4.7.0', 'Too many messages from your address, try again later'),
  accountRateLimited: r(450, '4.7.0', 'Hourly message limit of this account reached, try again later'),
  tooBig: r(552, '5.3.4', 'Message exceeds the maximum message size'),
  // RFC 3463 4.3.1: mail system full (too many large messages in flight); the sender retries
  memoryBusy: r(452, '4.3.1', 'Insufficient system storage, try again later'),
  // Postfix smtpd_min_data_rate: a sender trickling DATA is cut off (RFC 3463 4.4.2 bad connection)
  tooSlow: r(421, '4.4.2', 'Data transfer too slow, closing connection'),
  quotaTemp: r(452, '4.2.2', 'Mailbox full'),
  loop: r(554, '5.4.6', 'Mail loop detected'),
  tempFailure: r(451, '4.3.0', 'Temporary local problem, try again later'),
  shuttingDown: r(421, '4.3.2', 'Server shutting down'),
  // the account was removed or its password changed since AUTH (ctx.sessions)
  sessionEnded: (reason: string) => new SmtpReplyError(421, '4.7.0', `Session ended: ${reason}; log in again`),
  // issue 15: trust and spam
  dmarcReject: (why: string) => new SmtpReplyError(550, '5.7.1', `Message rejected: ${why} says to refuse mail that fails DMARC`),
  // rspamd's own text (its smtp_message) goes out on one reply line: no control characters, bounded
  spamReject: (why: string) => {
    const text = why.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, 200);
    return new SmtpReplyError(550, '5.7.1', `Message rejected as spam${text ? ': ' + text : ''}`);
  },
  spamSoftReject: () => new SmtpReplyError(451, '4.7.1', 'Message deferred by the spam filter, try again later'),
  dnsblListed: (zone: string) => new SmtpReplyError(554, '5.7.1', `Service unavailable; client host listed by ${zone}`),
  greylisted: (s: number) => new SmtpReplyError(451, '4.7.1', `Greylisted: please try again in ${s} seconds`),
  addressLiteral: r(553, '5.1.3', 'Address literals are not accepted as recipients here; use a domain name'),
  spamUnavailable: () => new SmtpReplyError(451, '4.7.1', 'The spam filter is not available, try again later'),
  // RFC 5429 §2.1: a Sieve reject/ereject refused at the protocol level
  sieveRejected: (reason: string) => new SmtpReplyError(550, '5.7.1', `Rejected by the recipient's filter: ${replyText(reason)}`),
} as const;

/** free text for a reply line: one line of printable ASCII, at most 200 characters */
export function replyText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return (t.length > 200 ? t.slice(0, 197) + '...' : t) || 'no reason given';
}

/** StoreError → SMTP reply (the one place). */
export function storeErrorReply(err: unknown): SmtpReplyError {
  if (err instanceof SmtpReplyError) return err;
  if (!(err instanceof StoreError)) return Replies.tempFailure();
  switch (err.code) {
    case 'OVERQUOTA':
      return Replies.quotaTemp(); // RFC 3463 4.2.2: temporary, the user may free space
    case 'LIMIT':
      return Replies.tooBig();
    case 'NONEXISTENT':
      return Replies.unknownUser();
    case 'NOPERM':
      return new SmtpReplyError(550, '5.7.1', 'Delivery not authorized');
    case 'INVALID':
      return new SmtpReplyError(554, '5.6.0', 'Message refused: ' + err.message);
    default:
      return Replies.tempFailure();
  }
}

// ───────── enhanced status codes through smtp-server ─────────

const PENDING = Symbol('letterbox.enhancedCode');
type SessionWithPending = SMTPServerSession & { [PENDING]?: string };

/** hands `err` to an smtp-server callback, making sure the client sees our enhanced code */
export function fail(session: SMTPServerSession, callback: (err: Error) => void, err: unknown): void {
  const reply = err instanceof SmtpReplyError ? err : storeErrorReply(err);
  (session as SessionWithPending)[PENDING] = reply.enhanced;
  callback(reply);
}

let patched = false;
/** installs the enhanced-code hook once per process (idempotent) */
export function installEnhancedCodes(): void {
  if (patched) return;
  patched = true;
  const proto = SMTPConnection.prototype as unknown as {
    _getEnhancedStatusCode?: (this: { session?: SessionWithPending }, code: number, context?: unknown) => string;
  };
  const original = proto._getEnhancedStatusCode;
  if (typeof original !== 'function') return; // library changed: fall back to its own codes
  proto._getEnhancedStatusCode = function (code, context) {
    const standard = original.call(this, code, context);
    const pending = this.session?.[PENDING];
    if (pending !== undefined && code >= 400) {
      delete this.session![PENDING];
      return standard ? pending : '';
    }
    return standard;
  };
}
