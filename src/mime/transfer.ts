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

/** bytes of body[from, to) appended to out at o; returns the new o (a loop for short runs: a native copy costs more below about 32 bytes) */
function put(body: Buffer, from: number, to: number, out: Buffer, o: number): number {
  if (to - from > 32) return o + body.copy(out, o, from, to);
  while (from < to) out[o++] = body[from++]!;
  return o;
}

/**
 * RFC 2045 §6.7 quoted-printable: "=XX" escapes, "=" CRLF soft line breaks, and
 * trailing whitespace at the end of an encoded line removed (rule 3). Only "=" and line
 * ends need looking at: they are found with indexOf (memchr) and the text between them is
 * copied whole, instead of a JavaScript step per byte (about 4 ns a byte; this runs for the
 * search text of every stored text part in quoted-printable, and for the preview).
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const n = body.length;
  const out = Buffer.allocUnsafe(n);
  let o = 0;
  let i = 0;
  /** the next "=" and LF at or after i (n when none) */
  let eq = -1;
  let lf = -1;
  while (i < n) {
    if (eq < i) {
      eq = body.indexOf(61, i);
      if (eq < 0) eq = n;
    }
    if (lf < i) {
      lf = body.indexOf(10, i);
      if (lf < 0) lf = n;
    }
    if (lf <= eq) {
      // the line ends (LF, CRLF, or the end): whitespace before the break is transport padding
      const brk = lf < n && lf > i && body[lf - 1] === 13 ? lf - 1 : lf;
      let t = brk;
      while (t > i && (body[t - 1] === 32 || body[t - 1] === 9)) t--;
      o = put(body, i, t, out, o);
      if (lf >= n) break;
      o = put(body, brk, lf + 1, out, o);
      i = lf + 1;
      continue;
    }
    // text up to "=" (whitespace before it is not at a line end: kept), then the escape
    o = put(body, i, eq, out, o);
    const a = eq + 1 < n ? HEX[body[eq + 1]!]! : -1;
    const b = eq + 2 < n ? HEX[body[eq + 2]!]! : -1;
    if (a >= 0 && b >= 0) {
      out[o++] = (a << 4) | b;
      i = eq + 3;
      continue;
    }
    // soft line break: "=" [WSP...] (CRLF | LF | the end)
    let j = eq + 1;
    while (body[j] === 32 || body[j] === 9) j++;
    if (body[j] === 13 && body[j + 1] === 10) i = j + 2;
    else if (body[j] === 10 || j >= n) i = j + 1;
    else {
      // not an escape: kept as it is
      out[o++] = 61;
      i = eq + 1;
    }
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
