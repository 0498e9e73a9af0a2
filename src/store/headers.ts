/**
 * Header fields for SEARCH HEADER (RFC 9051 §6.4.4): the top-level header block unfolded,
 * RFC 2047 encoded-words decoded, and rendered as lower-cased "name:value" lines so that
 * one string can be stored per message and matched without parsing the message again.
 */
import iconv from 'iconv-lite';
import type { MimeIndex } from '../mime/types.js';

/** Decodes RFC 2047 encoded-words ("=?charset?B|Q?text?="); unknown charsets are left as-is. */
export function decodeEncodedWords(value: string): string {
  // whitespace between two adjacent encoded-words is dropped (RFC 2047 §6.2)
  return value
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (whole, charset: string, enc: string, text: string) => {
      const cs = charset.split('*')[0]!; // RFC 2231 language suffix
      if (!iconv.encodingExists(cs)) return whole;
      let bytes: Buffer;
      if (enc.toUpperCase() === 'B') bytes = Buffer.from(text, 'base64');
      else
        bytes = Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        );
      return iconv.decode(bytes, cs);
    });
}

/** "name:value\n" per top-level header field, lower-cased, unfolded and decoded. */
export function headerFieldLines(raw: Buffer, index: MimeIndex): string {
  const root = index.root;
  const block = raw.subarray(root.headerStart, root.bodyStart).toString('utf8');
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  const out: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!name || /\s/.test(name)) continue;
    const value = decodeEncodedWords(line.slice(colon + 1).trim()).replace(/\n/g, ' ');
    out.push(`${name}:${value.toLowerCase()}`);
  }
  return out.join('\n') + '\n';
}

/** true when `lines` (from headerFieldLines) has field `field` whose value contains `value`. */
export function matchHeaderField(lines: string, field: string, value: string): boolean {
  const prefix = field.toLowerCase() + ':';
  const needle = value.toLowerCase();
  let pos = 0;
  while (pos < lines.length) {
    const end = lines.indexOf('\n', pos);
    const stop = end < 0 ? lines.length : end;
    if (lines.startsWith(prefix, pos)) {
      if (needle === '' || lines.slice(pos + prefix.length, stop).includes(needle)) return true;
    }
    pos = stop + 1;
  }
  return false;
}
