/**
 * The MIME index: computed once at delivery (src/mime/index.ts → indexMessage(raw)),
 * stored beside the raw bytes, and used by IMAP FETCH (BODY[section], BODYSTRUCTURE,
 * ENVELOPE, BINARY) and SEARCH without parsing the message again.
 *
 * All offsets are byte offsets into the raw message exactly as stored (never normalised).
 * It is plain JSON-serialisable data (no Buffers, no class instances) so that every
 * store backend can persist it as-is.
 */

/** One address as IMAP ENVELOPE wants it (RFC 9051 §7.5.2 "envelope"). */
export interface EnvelopeAddress {
  /** display name, decoded from RFC 2047 to UTF-8; null when absent */
  name: string | null;
  /** source route (obsolete; always null in practice) */
  adl: string | null;
  /** local part; for group syntax: group name on the start marker, null on the end marker */
  mailbox: string | null;
  /** domain; null for group start/end markers */
  host: string | null;
}

/** RFC 9051 §7.5.2 ENVELOPE fields. Strings are decoded (RFC 2047) UTF-8, null when absent. */
export interface Envelope {
  date: string | null; // raw Date header value (not decoded, not reformatted)
  subject: string | null; // decoded
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null; // defaults to from when absent (done by the indexer)
  replyTo: EnvelopeAddress[] | null; // defaults to from when absent (done by the indexer)
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null; // raw
  messageId: string | null; // raw
}

/** A parameter list such as Content-Type's; names lower-cased, values decoded (RFC 2231 joined). */
export type MimeParams = Array<[name: string, value: string]>;

/**
 * One node of the part tree. Offsets satisfy:
 *   headerStart <= bodyStart <= bodyEnd <= raw.length
 * header bytes  = raw[headerStart, bodyStart)   (includes the blank line that ends the header, if any)
 * body bytes    = raw[bodyStart, bodyEnd)
 * For a multipart, bodyEnd is the end of the body (before the CRLF that precedes the
 * next outer boundary); children are its parts in order. For message/rfc822 (and
 * message/global), `message` is the encapsulated message's root part.
 */
export interface MimePart {
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  /** number of lines in the body (IMAP body-fld-lines for text/* and message/rfc822) */
  bodyLines: number;

  /** lower-cased, defaults per RFC 2045/2046 (text/plain, or message/rfc822 inside multipart/digest) */
  type: string;
  subtype: string;
  params: MimeParams; // Content-Type parameters
  id: string | null; // Content-ID, raw
  description: string | null; // Content-Description, raw
  /** Content-Transfer-Encoding as given (upper-cased as IMAP convention), default "7BIT" */
  encoding: string;
  md5: string | null; // Content-MD5
  disposition: { type: string; params: MimeParams } | null; // Content-Disposition, type lower-cased
  language: string[] | null; // Content-Language
  location: string | null; // Content-Location

  /**
   * multipart children. Never empty for a multipart: when no part could be found (no boundary
   * parameter, boundary never seen, depth limit) the indexer puts one empty text/plain child
   * (headerStart = bodyStart = bodyEnd) and records a problem, so BODYSTRUCTURE stays valid.
   */
  parts?: MimePart[];
  /**
   * message/rfc822 or message/global: the encapsulated message. Absent when the part is
   * base64/quoted-printable encoded (not parseable in place) or beyond the depth limit;
   * such a part is then an opaque leaf.
   */
  message?: MimePart;
  /** present on a root part and on every encapsulated message root */
  envelope?: Envelope;
}

/** What the store keeps per message beside its raw bytes. */
export interface MimeIndex {
  /** format version of this structure, so a later release can re-index old rows */
  version: 1;
  root: MimePart;
  /** number of bare LF (LF not preceded by CR) in the raw message: CRLF size = raw.length + bareLf */
  bareLf: number;
  /** true when the message has 8-bit bytes in it (for BINARY / 8BITMIME decisions) */
  has8bit: boolean;
  /** any problems found while parsing (broken boundary, depth limit hit, ...); never thrown */
  problems: string[];
}
