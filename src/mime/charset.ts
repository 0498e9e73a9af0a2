/**
 * Byte → string decoding helpers shared by the MIME module.
 * Charset conversion goes through libmime's charset table (iconv-lite underneath,
 * plus its ISO-2022-JP / Shift_JIS handling); unknown charsets decode best-effort.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import libcharset from 'libmime/lib/charset.js';

/** Header bytes: UTF-8 when they are valid UTF-8 (RFC 6532), latin1 otherwise. Never throws. */
export function decodeHeaderBytes(buf: Buffer): string {
  return isUtf8(buf) ? buf.toString('utf8') : buf.toString('latin1');
}

const UTF8_LIKE = new Set(['UTF-8', 'UTF8', 'US-ASCII', 'ASCII', 'ANSI_X3.4-1968', '']);

/**
 * Decode body bytes declared in `charset` (RFC 2046 §4.1.2) to a JS string.
 * us-ascii/utf-8 bodies that are not valid UTF-8 fall back to windows-1252;
 * unknown charsets decode as UTF-8 when valid, else windows-1252. Never throws.
 */
export function decodeCharset(buf: Buffer, charset: string | null | undefined): string {
  const name = (charset ?? '').trim().toUpperCase();
  if (UTF8_LIKE.has(name)) {
    return isUtf8(buf) ? buf.toString('utf8') : iconv.decode(buf, 'windows-1252');
  }
  try {
    const norm = libcharset.normalizeCharset(name);
    const japanese = /^(ISO-?2022-?JP|SHIFT_JIS|SJIS|EUC-?JP|CP932|WINDOWS-31J)/i.test(norm);
    if (japanese || iconv.encodingExists(norm)) return libcharset.decode(buf, norm);
  } catch {
    // fall through to best effort
  }
  return isUtf8(buf) ? buf.toString('utf8') : iconv.decode(buf, 'windows-1252');
}
