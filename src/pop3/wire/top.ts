/**
 * TOP msg n (RFC 1939 §7): the header, the blank line that ends it, then the first n lines
 * of the body. Pure: works on the raw bytes; line ends may be CRLF or bare LF.
 * A message without a blank line is all header and is returned whole; n larger than the
 * body returns the whole message; n = 0 returns just the header and the blank line.
 */

/** index just after the blank line that ends the header, or raw.length when there is none */
export function headerEnd(raw: Buffer): number {
  // an empty header: the message starts with the blank line
  if (raw[0] === 0x0a) return 1;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  let i = 0;
  for (;;) {
    const lf = raw.indexOf(0x0a, i);
    if (lf < 0) return raw.length;
    const next = lf + 1;
    if (raw[next] === 0x0a) return next + 1;
    if (raw[next] === 0x0d && raw[next + 1] === 0x0a) return next + 2;
    i = next;
  }
}

export function topSlice(raw: Buffer, lines: number): Buffer {
  let end = headerEnd(raw);
  for (let k = 0; k < lines && end < raw.length; k++) {
    const lf = raw.indexOf(0x0a, end);
    end = lf < 0 ? raw.length : lf + 1;
  }
  return raw.subarray(0, end);
}
