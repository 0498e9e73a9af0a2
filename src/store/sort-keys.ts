/**
 * Computes SortKeys (./sort-types.ts) from a stored message: its envelope (MIME index) and
 * the References header. Shared by every backend, run once per stored body.
 */
import { baseSubject, casemap } from '../mime/base-subject.js';
import { findHeader, parseHeaderBlock } from '../mime/header.js';
import { partText, type DecodedParts } from '../mime/text.js';
import type { EnvelopeAddress, MimeIndex, MimePart } from '../mime/types.js';
import type { SortKeys } from './sort-types.js';

/** at most this many References are kept per message (thread parents beyond are noise) */
const MAX_REFERENCES = 100;

function firstAddress(list: EnvelopeAddress[] | null | undefined): EnvelopeAddress | null {
  // group markers have no host; the first real mailbox counts
  return list?.find((a) => a.mailbox !== null && a.host !== null) ?? null;
}

function display(a: EnvelopeAddress | null): string {
  if (!a) return '';
  const name = a.name?.trim();
  return casemap(name ? name : `${a.mailbox}@${a.host}`);
}

/** msg-ids in a header value (RFC 5322 §3.6.4), without angle brackets */
export function messageIds(value: string | null): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]+)>/g)) out.push(m[1]!);
  return out;
}

/** RFC 8970 §3: at most 256 characters */
export const PREVIEW_MAX = 256;

/** the first text part a reader would see: not an attachment; text/plain preferred in an alternative */
function firstText(part: MimePart): MimePart | null {
  if (part.parts) {
    if (part.subtype === 'alternative') {
      const plain = part.parts.find((p) => p.type === 'text' && p.subtype === 'plain');
      if (plain) return plain;
    }
    for (const p of part.parts) {
      const t = firstText(p);
      if (t) return t;
    }
    return null;
  }
  if (part.type !== 'text' || part.disposition?.type === 'attachment') return null;
  return part.subtype === 'plain' || part.subtype === 'html' ? part : null;
}

/**
 * RFC 8970 preview of a message: decoded, tags stripped, whitespace collapsed, cut at 256
 * characters. `decoded`: parts the search text already decoded (../mime/text.ts).
 */
export function computePreview(raw: Buffer, index: MimeIndex, decoded?: DecodedParts): string {
  const part = firstText(index.root);
  if (!part) return '';
  const whole = partText(raw, part, 4 * PREVIEW_MAX, decoded);
  // collapse and cut a growing head of the text rather than all of it: the head's collapsed
  // form is a prefix of the whole's, so once it holds more than PREVIEW_MAX + 1 code points
  // (the last may be a space the whole's trim would drop) the answer is the same
  for (let head = 2 * PREVIEW_MAX; ; head *= 4) {
    const done = head >= whole.length;
    const text = (done ? whole : whole.slice(0, head)).replace(/\s+/gu, ' ').trim();
    const cps = Array.from(text);
    if (cps.length > PREVIEW_MAX + 1 || done) return cps.length > PREVIEW_MAX ? cps.slice(0, PREVIEW_MAX).join('') : text;
  }
}

/** `decoded`: parts already decoded for this message (../mime/text.ts DecodedParts) */
export function computeSortKeys(raw: Buffer, index: MimeIndex, decoded?: DecodedParts): SortKeys {
  const env = index.root.envelope;
  const sent = env?.date ? Date.parse(env.date) : NaN;
  const subj = baseSubject(env?.subject ?? null);
  const from = firstAddress(env?.from);
  const to = firstAddress(env?.to);
  const cc = firstAddress(env?.cc);
  const messageId = messageIds(env?.messageId ?? null)[0] ?? null;
  const fields = parseHeaderBlock(raw, index.root.headerStart, index.root.bodyStart, undefined, new Set(['references']));
  // RFC 5256 §3 REFERENCES step 1.A: References, else the first msg-id of In-Reply-To
  let references = messageIds(findHeader(fields, 'references'));
  if (!references.length) references = messageIds(env?.inReplyTo ?? null).slice(0, 1);
  return {
    sentDate: Number.isNaN(sent) ? null : sent,
    subject: subj.base,
    replyOrForward: subj.replyOrForward,
    from: from?.mailbox ? casemap(from.mailbox) : '',
    to: to?.mailbox ? casemap(to.mailbox) : '',
    cc: cc?.mailbox ? casemap(cc.mailbox) : '',
    displayFrom: display(from),
    displayTo: display(to),
    messageId,
    references: references.slice(-MAX_REFERENCES),
    preview: computePreview(raw, index, decoded),
  };
}
