/**
 * splitMbox: split an mbox file (mboxo or mboxrd, RFC 4155) into raw messages.
 * A line starting with "From " begins a new message; that From_ line is dropped.
 * mboxrd quoting is undone: a line ">From ", ">>From ", ... loses one '>'.
 * The line ending that precedes the next From_ line (the mbox separator blank line)
 * is kept as part of the message only if the message would otherwise end without one;
 * exactly one trailing empty line added by the mbox writer is removed.
 */

const LF = 10;

function unescapeFromLines(msg: Buffer): Buffer {
  // fast path: no quoted From lines
  if (msg.indexOf('>From ') < 0) return msg;
  const chunks: Buffer[] = [];
  let pos = 0;
  let last = 0;
  while (pos < msg.length) {
    let nl = msg.indexOf(LF, pos);
    const next = nl < 0 ? msg.length : nl + 1;
    // line of the form >+From
    let q = pos;
    while (q < next && msg[q] === 62 /* > */) q++;
    if (q > pos && msg.toString('latin1', q, q + 5) === 'From ') {
      chunks.push(msg.subarray(last, pos));
      last = pos + 1; // drop one '>'
    }
    pos = next;
    nl = -1;
  }
  chunks.push(msg.subarray(last));
  return Buffer.concat(chunks);
}

/** Split `buf` into messages (each a copy-free slice unless >From unescaping was needed). */
export function splitMbox(buf: Buffer): Buffer[] {
  const starts: Array<{ line: number; body: number }> = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(LF, pos);
    const next = nl < 0 ? buf.length : nl + 1;
    if (buf[pos] === 70 && buf.toString('latin1', pos, pos + 5) === 'From ') starts.push({ line: pos, body: next });
    const f = buf.indexOf('\nFrom ', next - 1);
    if (f < 0) break;
    pos = f + 1;
  }
  const out: Buffer[] = [];
  if (starts.length === 0) {
    if (buf.length && buf.toString('latin1', 0, Math.min(buf.length, 64)).trim()) out.push(buf);
    return out;
  }
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    let end = i + 1 < starts.length ? starts[i + 1]!.line : buf.length;
    // drop the separator blank line the mbox writer put before the next From_ line
    if (end - 2 >= s.body && buf[end - 1] === LF && buf[end - 2] === LF) end -= 1;
    else if (end - 4 >= s.body && buf[end - 1] === LF && buf[end - 2] === 13 && buf[end - 3] === LF) end -= 2;
    out.push(unescapeFromLines(buf.subarray(s.body, end)));
  }
  return out;
}
