/**
 * searchableText: decoded UTF-8 text of a message for IMAP SEARCH (RFC 9051 §6.4.4)
 * and full-text indexes. header = unfolded header fields with RFC 2047 words decoded;
 * body = text/* parts decoded from their transfer encoding and charset, HTML tags
 * stripped; non-text and attachment bodies are skipped. Both capped at TEXT_CAP chars.
 */
import { parseAddressList } from './address.js';
import { decodeCharset } from './charset.js';
import { decodeWords } from './envelope.js';
import { findHeader, parseHeaderBlock, parseHeaders, type HeaderField } from './header.js';
import { getParam } from './params.js';
import { decodeTransfer } from './transfer.js';
import type { MimeIndex, MimePart } from './types.js';

export { parseHeaders, findHeader, decodeWords, type HeaderField };

/** at most this many characters of header and of body text */
export const TEXT_CAP = 1024 * 1024;

/** Header fields of `part` (root: the message header). */
export function partHeaders(raw: Buffer, part: MimePart): HeaderField[] {
  return parseHeaderBlock(raw, part.headerStart, part.bodyStart);
}

/** Unfolded raw values (not RFC 2047 decoded) of every `name` field in the part's header. */
export function headerValues(raw: Buffer, part: MimePart, name: string): string[] {
  const key = name.toLowerCase();
  return partHeaders(raw, part)
    .filter((f) => f.key === key)
    .map((f) => f.value);
}

/** First unfolded raw value of `name` in the part's header, or null. */
export function headerValue(raw: Buffer, part: MimePart, name: string): string | null {
  return findHeader(partHeaders(raw, part), name);
}

const BLOCK_TAGS = new Set(['br', 'p', 'div', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote']);

/**
 * Crude HTML → text in one linear pass (no backtracking regexes, so hostile HTML
 * cannot make delivery slow): tags and comments dropped, script/style content
 * dropped, block tags become line breaks, a few entities decoded.
 */
export function stripHtml(html: string): string {
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const e = html.indexOf('-->', lt + 4);
      i = e < 0 ? n : e + 3;
      out.push(' ');
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9]*|!)/.exec(html.slice(lt, lt + 40));
    if (!m) {
      out.push('<');
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt < 0) break; // unterminated tag: drop the rest
    const name = m[2]!.toLowerCase();
    if (!m[1] && (name === 'script' || name === 'style')) {
      const close = name === 'script' ? /<\/script\s*>/gi : /<\/style\s*>/gi;
      close.lastIndex = gt + 1;
      const c = close.exec(html);
      i = c ? c.index + c[0].length : n;
      out.push(' ');
      continue;
    }
    out.push(BLOCK_TAGS.has(name) ? '\n' : ' ');
    i = gt + 1;
  }
  return out
    .join('')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&#(\d{1,7});/g, (_, d: string) => safeChar(parseInt(d, 10)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, h: string) => safeChar(parseInt(h, 16)))
    .replace(/&amp;/gi, '&');
}

function safeChar(cp: number): string {
  try {
    return String.fromCodePoint(cp);
  } catch {
    return ' ';
  }
}

/**
 * Texts of whole leaf parts already decoded for one message, shared by the computations
 * made when it is stored (search text, preview): each decodes a part once. Only parts
 * decoded entirely are kept, so a hit is exactly what decoding again would give.
 */
export type DecodedParts = Map<MimePart, string>;

/** Decoded text of one text/* leaf part; at most about `maxChars` characters are decoded. */
export function partText(raw: Buffer, part: MimePart, maxChars = TEXT_CAP, decoded?: DecodedParts): string {
  // a character takes at most 4 bytes once decoded, and base64/QP need at most 3 input bytes per byte
  const limit = Math.min(part.bodyEnd, part.bodyStart + 12 * maxChars + 16);
  const whole = decoded !== undefined && limit === part.bodyEnd;
  if (whole) {
    const known = decoded.get(part);
    if (known !== undefined) return known;
  }
  const body = raw.subarray(part.bodyStart, limit);
  const bytes = decodeTransfer(body, part.encoding) ?? body;
  const chars = decodeCharset(bytes, getParam(part.params, 'charset'));
  const text = part.subtype === 'html' ? stripHtml(chars) : chars;
  if (whole) decoded.set(part, text);
  return text;
}

function collectBody(raw: Buffer, part: MimePart, out: string[], budget: { left: number }, decoded?: DecodedParts): void {
  if (budget.left <= 0) return;
  if (part.parts) {
    for (const p of part.parts) collectBody(raw, p, out, budget, decoded);
    return;
  }
  if (part.message) {
    // the encapsulated message's header is searchable body text too
    const hdr = headerText(raw, part.message);
    if (hdr) push(out, hdr, budget);
    collectBody(raw, part.message, out, budget, decoded);
    return;
  }
  if (part.type !== 'text') return;
  push(out, partText(raw, part, budget.left, decoded), budget);
}

function push(out: string[], s: string, budget: { left: number }): void {
  const t = s.length > budget.left ? s.slice(0, budget.left) : s;
  out.push(t);
  budget.left -= t.length + 1;
}

const ADDRESS_FIELDS = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-bcc']);

/**
 * Address fields also carry their parsed form ("name <mailbox@host>", "group:"), so
 * FROM/TO/CC/BCC match "user@domain" even when the field is written with comments or
 * spacing inside the address ("<user (c)@ (c) domain>"), as IMAP servers match addresses.
 */
function addressForms(value: string): string {
  try {
    return parseAddressList(value)
      .map((a) => (a.host === null ? (a.mailbox === null ? ';' : `${a.mailbox}:`) : `${a.name ?? ''} <${a.mailbox ?? ''}@${a.host}>`))
      .join(', ');
  } catch {
    return '';
  }
}

function headerText(raw: Buffer, part: MimePart): string {
  return fieldsText(partHeaders(raw, part));
}

/** Searchable text of a standalone block of header fields (a delivery prefix: Received, Delivered-To…). */
export function headerFieldsText(block: Buffer): string {
  return fieldsText(parseHeaders(block));
}

function fieldsText(fields: HeaderField[]): string {
  return fields
    .map((f) => {
      const v = decodeWords(f.value);
      if (!ADDRESS_FIELDS.has(f.name.toLowerCase())) return `${f.name}: ${v}`;
      const forms = addressForms(f.value);
      return forms && forms !== v ? `${f.name}: ${v} ${forms}` : `${f.name}: ${v}`;
    })
    .join('\n');
}

/**
 * Decoded UTF-8 text for SEARCH: unfolded decoded header lines, and body text of text/*
 * parts. `decoded` keeps the parts' texts for the preview (../store/sort-keys.ts).
 */
export function searchableText(raw: Buffer, index: MimeIndex, decoded?: DecodedParts): { header: string; body: string } {
  try {
    let header = headerText(raw, index.root);
    if (header.length > TEXT_CAP) header = header.slice(0, TEXT_CAP);
    const out: string[] = [];
    collectBody(raw, index.root, out, { left: TEXT_CAP }, decoded);
    return { header, body: out.join('\n') };
  } catch {
    return { header: '', body: '' };
  }
}
