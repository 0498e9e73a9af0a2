/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3; RFC 9051 §5.1 keeps it for IMAP4rev1
 * clients that did not enable UTF8=ACCEPT / IMAP4rev2).
 *   - printable US-ASCII 0x20..0x7e except "&" represents itself; "&" is "&-"
 *   - other characters: "&" + modified BASE64 of UTF-16BE (with "," for "/", no "=" padding) + "-"
 */
import { WireError } from './errors.js';

/** UTF-8 (JS string) → modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let run: number[] = [];
  const flush = () => {
    if (!run.length) return;
    const b = Buffer.alloc(run.length * 2);
    run.forEach((u, i) => b.writeUInt16BE(u, i * 2));
    out += '&' + b.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    run = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      flush();
      out += c === 0x26 ? '&-' : name[i];
    } else run.push(c);
  }
  flush();
  return out;
}

/**
 * Modified UTF-7 → UTF-8 (JS string). Throws WireError for names that are not valid
 * modified UTF-7 (8-bit bytes, bad base64, unterminated "&", encoded printable ASCII,
 * bad surrogates, non-zero padding bits): RFC 3501 §5.1.3 requires the canonical form.
 */
export function decodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new WireError('Mailbox name is not valid modified UTF-7 (8-bit or control characters)');
    if (c !== 0x26) {
      out += name[i];
      i++;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end < 0) throw new WireError('Mailbox name is not valid modified UTF-7 ("&" without "-")');
    const b64 = name.slice(i + 1, end);
    i = end + 1;
    if (b64 === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(b64) || b64.length % 4 === 1) throw new WireError('Mailbox name is not valid modified UTF-7 (bad base64)');
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    // canonical: re-encoding must give the same text (catches non-zero padding bits, odd byte counts)
    if (bytes.length % 2 !== 0 || bytes.toString('base64').replace(/=+$/, '') !== b64.replace(/,/g, '/')) {
      throw new WireError('Mailbox name is not valid modified UTF-7 (bad base64 length or padding)');
    }
    let s = '';
    for (let k = 0; k < bytes.length; k += 2) s += String.fromCharCode(bytes.readUInt16BE(k));
    for (let k = 0; k < s.length; k++) {
      const u = s.charCodeAt(k);
      if (u >= 0x20 && u <= 0x7e) throw new WireError('Mailbox name is not valid modified UTF-7 (encoded ASCII)');
      if (u >= 0xd800 && u <= 0xdbff) {
        const n = s.charCodeAt(k + 1);
        if (!(n >= 0xdc00 && n <= 0xdfff)) throw new WireError('Mailbox name is not valid modified UTF-7 (bad surrogate pair)');
        k++;
      } else if (u >= 0xdc00 && u <= 0xdfff) throw new WireError('Mailbox name is not valid modified UTF-7 (bad surrogate pair)');
    }
    out += s;
  }
  return out;
}
