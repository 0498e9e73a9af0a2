/**
 * Streaming byte-stuffing for multi-line POP3 responses (RFC 1939 §3), pure.
 *
 * - A line starting with "." gets one more "." in front.
 * - A bare LF (not preceded by CR) is sent as CRLF, so the octets sent equal
 *   raw length + bareLf = Pop3Entry.pop3Size. A lone CR is sent unchanged.
 * - Chunk boundaries may fall anywhere (between CR and LF, before a line-start dot).
 * - end() closes the response: CRLF first when the data did not end with a line end,
 *   then ".\r\n". That CRLF belongs to the terminator and is not counted in the size.
 */

const DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');

export class DotStuffer {
  private lineStart = true;
  private lastCR = false;

  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    const len = chunk.length;
    let start = 0;
    let i = 0;
    while (i < len) {
      if (this.lineStart) {
        if (chunk[i] === 0x2e) {
          out.push(chunk.subarray(start, i), DOT);
          start = i;
        }
        this.lineStart = false;
      }
      const lf = chunk.indexOf(0x0a, i);
      if (lf < 0) break;
      const crBefore = lf > 0 ? chunk[lf - 1] === 0x0d : this.lastCR;
      if (!crBefore) {
        out.push(chunk.subarray(start, lf), CRLF);
        start = lf + 1;
      }
      this.lineStart = true;
      i = lf + 1;
    }
    if (start < len) out.push(chunk.subarray(start));
    if (len > 0) this.lastCR = chunk[len - 1] === 0x0d;
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  end(): Buffer {
    return Buffer.from(this.lineStart ? '.\r\n' : '\r\n.\r\n');
  }
}

/** Whole-buffer convenience: the stuffed bytes plus terminator, in chunks of `chunkSize`. */
export function* stuffChunks(data: Buffer, chunkSize = 64 * 1024): Generator<Buffer> {
  const s = new DotStuffer();
  for (let off = 0; off < data.length; off += chunkSize) {
    const piece = s.push(data.subarray(off, Math.min(off + chunkSize, data.length)));
    if (piece.length > 0) yield piece;
  }
  yield s.end();
}

/**
 * The whole response body at once (messages up to a few hundred KiB): the same bytes as
 * DotStuffer push()+end(), into one buffer, after `head` (latin1: the status line, so the
 * response leaves in one write, one syscall, when no pipelined command follows it). A plain byte loop: typical mail lines are
 * short, and a Buffer.copy() or indexOf() call per line cost more than copying the bytes
 * one by one (profiled: ~5x slower on the bench corpus).
 */
export function stuffAll(data: Buffer, head = ''): Buffer {
  const n = data.length;
  const out = Buffer.allocUnsafe(head.length + 2 * n + 5);
  let o = head.length > 0 ? out.write(head, 0, 'latin1') : 0;
  let lineStart = true;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (lineStart && b === 0x2e) out[o++] = 0x2e;
    if (b === 0x0a && prev !== 0x0d) out[o++] = 0x0d;
    out[o++] = b;
    lineStart = b === 0x0a;
    prev = b;
  }
  if (n > 0 && !lineStart) {
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  out[o++] = 0x2e;
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  return out.subarray(0, o);
}
