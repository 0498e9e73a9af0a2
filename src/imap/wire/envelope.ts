/**
 * ENVELOPE encoding (RFC 9051 §7.5.2 "envelope", §9):
 *   envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
 *              env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
 *   address  = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
 * Group syntax (RFC 9051 §7.5.2): start marker has host NIL and the group name as mailbox,
 * end marker has mailbox and host NIL — kept as the indexer produced them.
 * For non-UTF8 sessions the decoded display name and subject are re-encoded as RFC 2047
 * encoded-words; other non-ASCII strings (EAI local parts) go out as literals.
 */
import type { Envelope, EnvelopeAddress } from '../../mime/types.js';
import { concat, type WireValue } from './encode.js';
import { encodeWords } from './rfc2047.js';

function text(v: string | null, utf8: boolean): WireValue {
  if (v === null) return null;
  return utf8 ? v : encodeWords(v);
}

function addresses(list: EnvelopeAddress[] | null, utf8: boolean): WireValue {
  if (!list || list.length === 0) return null;
  // env-from etc. = "(" 1*address ")": no SP between addresses (RFC 9051 §9)
  return [concat(list.map((a) => [text(a.name, utf8), a.adl, a.mailbox, a.host]))];
}

export const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

/** The ENVELOPE value as a WireValue list (encode it with WireWriter / encodeFetch). */
export function encodeEnvelope(env: Envelope | undefined, utf8: boolean): WireValue[] {
  const e = env ?? EMPTY_ENVELOPE;
  return [
    e.date,
    text(e.subject, utf8),
    addresses(e.from, utf8),
    addresses(e.sender, utf8),
    addresses(e.replyTo, utf8),
    addresses(e.to, utf8),
    addresses(e.cc, utf8),
    addresses(e.bcc, utf8),
    e.inReplyTo,
    e.messageId,
  ];
}
