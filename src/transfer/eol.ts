/**
 * Line endings between files and the store. Mail is stored as it travels over SMTP and
 * IMAP, with CRLF; mbox and Maildir files usually hold LF (mbsync, Dovecot, mutt).
 * - toCrlf: a message with no CRLF at all gets CRLF for every LF; one that has CRLF
 *   anywhere is kept as it is (it was stored that way on purpose).
 * - toLf: a message whose every LF follows a CR, and every CR precedes an LF, gets LF;
 *   one with any bare LF or bare CR is kept.
 * So toCrlf(toLf(m)) === m for every CRLF message, and any message stored as found.
 */
const LF = 10;
const CR = 13;

export function toCrlf(raw: Buffer): Buffer {
  const first = raw.indexOf(LF);
  if (first < 0 || raw.indexOf('\r\n') >= 0) return raw;
  let lfs = 0;
  for (let p = first; p >= 0; p = raw.indexOf(LF, p + 1)) lfs++;
  const out = Buffer.allocUnsafe(raw.length + lfs);
  let o = 0;
  let last = 0;
  for (let p = first; p >= 0; p = raw.indexOf(LF, p + 1)) {
    o += raw.copy(out, o, last, p);
    out[o++] = CR;
    out[o++] = LF;
    last = p + 1;
  }
  raw.copy(out, o, last);
  return out;
}

export function toLf(raw: Buffer): Buffer {
  let crlfs = 0;
  for (let p = raw.indexOf(LF); p >= 0; p = raw.indexOf(LF, p + 1)) {
    if (p === 0 || raw[p - 1] !== CR) return raw; // a bare LF: keep the message as it is
    crlfs++;
  }
  if (crlfs === 0) return raw;
  let crs = 0;
  for (let p = raw.indexOf(CR); p >= 0; p = raw.indexOf(CR, p + 1)) crs++;
  if (crs !== crlfs) return raw; // a bare CR: LF-only would not come back the same
  const out = Buffer.allocUnsafe(raw.length - crlfs);
  let o = 0;
  let last = 0;
  for (let p = raw.indexOf('\r\n'); p >= 0; p = raw.indexOf('\r\n', p + 2)) {
    o += raw.copy(out, o, last, p);
    out[o++] = LF;
    last = p + 2;
  }
  raw.copy(out, o, last);
  return out;
}
