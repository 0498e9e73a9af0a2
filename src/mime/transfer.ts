/**
 * Content-Transfer-Encoding decoding (RFC 2045 §6) for IMAP BINARY (RFC 3516 / RFC 9051 §6.4.5)
 * and for search text. Tolerant of bad input: invalid base64 characters are skipped,
 * malformed quoted-printable escapes are kept literally.
 */

/** hex digit values by byte, -1 for any other byte */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/**
 * RFC 2045 §6.7 quoted-printable: "=XX" escapes, "=" CRLF soft line breaks, and
 * trailing whitespace at the end of an encoded line removed (rule 3). One pass over the
 * bytes, copying byte by byte (Buffer.copy per run of spaces cost more than the copy:
 * this ran twice per stored text message, for the search text and the preview).
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const n = body.length;
  const out = Buffer.allocUnsafe(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === 32 || c === 9) {
      // a whitespace run followed by a line end (or the end) is transport padding
      let j = i + 1;
      while (j < n && (body[j] === 32 || body[j] === 9)) j++;
      if (j >= n || body[j] === 10 || (body[j] === 13 && body[j + 1] === 10)) {
        i = j - 1;
        continue;
      }
      for (; i < j; i++) out[o++] = body[i]!;
      i = j - 1;
      continue;
    }
    if (c !== 61 /* = */) {
      out[o++] = c;
      continue;
    }
    const a = i + 1 < n ? HEX[body[i + 1]!]! : -1;
    const b = i + 2 < n ? HEX[body[i + 2]!]! : -1;
    if (a >= 0 && b >= 0) {
      out[o++] = (a << 4) | b;
      i += 2;
      continue;
    }
    // soft line break: "=" [WSP...] (CRLF | LF)
    let j = i + 1;
    while (body[j] === 32 || body[j] === 9) j++;
    if (body[j] === 13 && body[j + 1] === 10) {
      i = j + 1;
      continue;
    }
    if (body[j] === 10) {
      i = j;
      continue;
    }
    if (j >= n) {
      i = j;
      continue;
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/** RFC 2045 §6.8 base64; characters outside the alphabet are ignored. */
export function decodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/**
 * Decode a body from its Content-Transfer-Encoding. 7BIT/8BIT/BINARY (and empty) pass through.
 * Returns null for an unknown encoding (IMAP answers NO [UNKNOWN-CTE], RFC 9051 §7.1).
 */
export function decodeTransfer(body: Buffer, encoding: string): Buffer | null {
  // mechanism := token (RFC 2045 §6.1); ignore anything after it
  switch ((/^[^\s;(]*/.exec(encoding.trim())?.[0] ?? '').toUpperCase()) {
    case '':
    case '7BIT':
    case '8BIT':
    case 'BINARY':
      return body;
    case 'BASE64':
      return decodeBase64(body);
    case 'QUOTED-PRINTABLE':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}
