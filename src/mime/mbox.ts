/**
 * mbox files (mboxo or mboxrd, RFC 4155) split into raw messages, incrementally so a file
 * of any size is read in bounded memory (MboxSplitter), or all at once (splitMbox).
 * - A line starting with "From " begins a new message; that From_ line is handed back
 *   beside the message (it carries the envelope sender and date), not inside it.
 * - mboxrd quoting is undone: a line ">From ", ">>From ", ... loses one '>'.
 * - The line ending that precedes the next From_ line (the mbox separator blank line)
 *   is kept as part of the message only if the message would otherwise end without one;
 *   exactly one trailing empty line added by the mbox writer is removed.
 * - Text before the first From_ line is dropped; a file without any From_ line is one message.
 */

const LF = 10;
const CR = 13;

function unescapeFromLines(msg: Buffer): Buffer {
  // fast path: no quoted From lines
  if (msg.indexOf('>From ') < 0) return msg;
  const chunks: Buffer[] = [];
  let pos = 0;
  let last = 0;
  while (pos < msg.length) {
    const nl = msg.indexOf(LF, pos);
    const next = nl < 0 ? msg.length : nl + 1;
    // line of the form >+From
    let q = pos;
    while (q < next && msg[q] === 62 /* > */) q++;
    if (q > pos && msg.toString('latin1', q, q + 5) === 'From ') {
      chunks.push(msg.subarray(last, pos));
      last = pos + 1; // drop one '>'
    }
    pos = next;
  }
  chunks.push(msg.subarray(last));
  return Buffer.concat(chunks);
}

export interface MboxMessage {
  /** the From_ line without its line ending ("" for a file without From_ lines) */
  fromLine: string;
  /** the message, or null when it was larger than maxMessageBytes (its bytes were not kept) */
  raw: Buffer | null;
  /** bytes of the message as stored in the file */
  size: number;
}

const isFromAt = (b: Buffer, i: number) => b[i] === 70 && b.toString('latin1', i, i + 5) === 'From ';

/**
 * Push chunks of an mbox file in order, then call end(); each call returns the messages
 * completed so far. Holds at most one message (and one partial line) in memory; a message
 * above `maxMessageBytes` is reported with raw = null instead of being kept.
 */
export class MboxSplitter {
  private carry: Buffer = Buffer.alloc(0);
  private current: { fromLine: string; chunks: Buffer[]; size: number } | null = null;
  private preamble: Buffer[] = [];
  private preambleSize = 0;
  private sawFrom = false;

  constructor(private readonly maxMessageBytes = Infinity) {}

  push(chunk: Buffer): MboxMessage[] {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastLf = data.lastIndexOf(LF);
    if (lastLf < 0) {
      this.carry = Buffer.from(data);
      return [];
    }
    // only whole lines are looked at; the rest waits for the next chunk
    this.carry = Buffer.from(data.subarray(lastLf + 1));
    return this.lines(data.subarray(0, lastLf + 1));
  }

  end(): MboxMessage[] {
    const out = this.carry.length ? this.lines(this.carry) : [];
    this.carry = Buffer.alloc(0);
    if (this.current) out.push(this.finish(this.current));
    else if (!this.sawFrom && this.preambleSize > 0) {
      const whole = Buffer.concat(this.preamble);
      if (whole.toString('latin1', 0, Math.min(whole.length, 64)).trim()) out.push({ fromLine: '', raw: whole, size: whole.length });
    }
    this.current = null;
    this.preamble = [];
    return out;
  }

  /** `region` starts at a line start and holds whole lines (the last may lack its LF at end()) */
  private lines(region: Buffer): MboxMessage[] {
    const out: MboxMessage[] = [];
    let pos = 0;
    while (pos < region.length) {
      let start: number;
      if (isFromAt(region, pos)) start = pos;
      else {
        const f = region.indexOf('\nFrom ', pos);
        start = f < 0 ? -1 : f + 1;
      }
      const spanEnd = start < 0 ? region.length : start;
      if (spanEnd > pos) this.append(region.subarray(pos, spanEnd));
      if (start < 0) break;
      // a From_ line: the current message ends, a new one starts
      const nl = region.indexOf(LF, start);
      const lineEnd = nl < 0 ? region.length : nl + 1;
      if (this.current) out.push(this.finish(this.current));
      let line = region.toString('latin1', start, nl < 0 ? region.length : nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.current = { fromLine: line, chunks: [], size: 0 };
      this.sawFrom = true;
      this.preamble = [];
      pos = lineEnd;
    }
    return out;
  }

  private append(span: Buffer): void {
    if (!this.current) {
      if (!this.sawFrom) {
        this.preamble.push(Buffer.from(span));
        this.preambleSize += span.length;
      }
      return;
    }
    const c = this.current;
    c.size += span.length;
    // keep one spare line ending beyond the cap: the separator rule may remove it again
    if (c.size <= this.maxMessageBytes + 2) c.chunks.push(Buffer.from(span));
  }

  private finish(c: { fromLine: string; chunks: Buffer[]; size: number }): MboxMessage {
    let size = c.size;
    const tail = (k: number) => {
      // byte k positions from the end of the message (1 = last), across chunks
      let i = c.chunks.length - 1;
      let off = k;
      while (i >= 0 && off > c.chunks[i]!.length) off -= c.chunks[i--]!.length;
      return i < 0 ? -1 : c.chunks[i]![c.chunks[i]!.length - off]!;
    };
    if (size >= 2 && tail(1) === LF && tail(2) === LF) size -= 1;
    else if (size >= 3 && tail(1) === LF && tail(2) === CR && tail(3) === LF) size -= 2;
    if (size > this.maxMessageBytes) return { fromLine: c.fromLine, raw: null, size };
    const whole = Buffer.concat(c.chunks);
    return { fromLine: c.fromLine, raw: unescapeFromLines(whole.subarray(0, size)), size };
  }
}

/** Split a whole mbox file in memory into its messages (without their From_ lines). */
export function splitMbox(buf: Buffer): Buffer[] {
  const s = new MboxSplitter();
  return [...s.push(buf), ...s.end()].map((m) => m.raw!);
}
