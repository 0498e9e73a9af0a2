/**
 * ENVELOPE data (RFC 9051 §7.5.2) from a parsed header block.
 * Sender and Reply-To default to From when absent or empty (RFC 9051 §7.5.2).
 */
import libmime from 'libmime';
import { parseAddressList } from './address.js';
import { findHeader, type HeaderField } from './header.js';
import type { Envelope, EnvelopeAddress } from './types.js';

/** Decode RFC 2047 encoded words in an unstructured value (Subject etc.). Never throws. */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function addresses(fields: HeaderField[], name: string): EnvelopeAddress[] | null {
  const v = findHeader(fields, name);
  if (v === null) return null;
  const list = parseAddressList(v);
  return list.length ? list : null;
}

export function buildEnvelope(fields: HeaderField[]): Envelope {
  const subject = findHeader(fields, 'subject');
  const from = addresses(fields, 'from');
  return {
    date: findHeader(fields, 'date'),
    subject: subject === null ? null : decodeWords(subject),
    from,
    sender: addresses(fields, 'sender') ?? from,
    replyTo: addresses(fields, 'reply-to') ?? from,
    to: addresses(fields, 'to'),
    cc: addresses(fields, 'cc'),
    bcc: addresses(fields, 'bcc'),
    inReplyTo: findHeader(fields, 'in-reply-to'),
    messageId: findHeader(fields, 'message-id'),
  };
}
