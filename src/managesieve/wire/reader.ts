/**
 * ManageSieve command reader (RFC 5804 §4 grammar), pure and resumable: bytes in,
 * complete lines out (a command, or a SASL response). A command is an atom followed by
 * arguments — atoms, numbers,
 * quoted strings ("…" with \" and \\) and literals ({n+} CRLF n octets; {n} is taken the
 * same way, since ManageSieve has no continuation for literals) — ended by CRLF.
 *
 * Limits: a line over `maxLine` bytes is skipped and reported; a literal over the current
 * `maxLiteral()` is read and thrown away (its argument comes out as `tooLarge`), so the
 * stream stays in step and the session can answer NO (QUOTA/MAXSIZE).
 */
export type Arg =
  | { type: 'atom'; value: string }
  | { type: 'string'; value: string; literal: boolean }
  | { type: 'tooLarge'; size: number };

export type ReaderEvent =
  | { kind: 'line'; args: Arg[] }
  | { kind: 'error'; message: string }
  | { kind: 'too-long' };

const LF = 10;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class CommandReader {
  private buf: Buffer = Buffer.alloc(0);
  private args: Arg[] = [];
  /** bytes of the literal being read, and whether it is kept */
  private literal: { size: number; keep: boolean } | null = null;
  private skippingLine = false;
  private lineError: string | null = null;

  constructor(
    private readonly maxLine: number,
    private readonly maxLiteral: () => number,
  ) {}

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.args = [];
    this.literal = null;
    this.skippingLine = false;
    this.lineError = null;
  }

  /** bytes held (read but not yet a command) */
  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): ReaderEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: ReaderEvent[] = [];
    for (;;) {
      if (this.literal) {
        const need = this.literal.size;
        if (this.buf.length < need) {
          if (!this.literal.keep) {
            // dropped literal: discard as it arrives
            this.literal.size -= this.buf.length;
            this.buf = Buffer.alloc(0);
          }
          return out;
        }
        const bytes = this.buf.subarray(0, need);
        this.buf = this.buf.subarray(need);
        if (this.literal.keep) {
          try {
            this.args.push({ type: 'string', value: utf8.decode(bytes), literal: true });
          } catch {
            this.lineError ??= 'a literal is not valid UTF-8';
          }
        }
        this.literal = null;
        continue;
      }
      const lf = this.buf.indexOf(LF);
      if (lf < 0) {
        if (this.buf.length > this.maxLine) {
          this.skippingLine = true;
          this.buf = Buffer.alloc(0);
        }
        return out;
      }
      const line = this.buf.subarray(0, lf > 0 && this.buf[lf - 1] === 13 ? lf - 1 : lf);
      this.buf = this.buf.subarray(lf + 1);
      if (this.skippingLine || line.length > this.maxLine) {
        this.skippingLine = false;
        this.args = [];
        this.lineError = null;
        out.push({ kind: 'too-long' });
        continue;
      }
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
  }

  /** parses one line's worth; returns the finished command, or null when a literal follows */
  private line(line: Buffer): ReaderEvent | null {
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      this.lineError ??= 'the command is not valid UTF-8';
      text = '';
    }
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === '"') {
        let j = i + 1;
        let value = '';
        let closed = false;
        while (j < text.length) {
          const d = text[j]!;
          if (d === '\\' && j + 1 < text.length) {
            value += text[j + 1];
            j += 2;
            continue;
          }
          if (d === '"') {
            closed = true;
            break;
          }
          value += d;
          j++;
        }
        if (!closed) {
          this.lineError ??= 'unterminated quoted string';
          break;
        }
        this.args.push({ type: 'string', value, literal: false });
        i = j + 1;
        continue;
      }
      if (c === '{') {
        const m = /^\{(\d{1,10})(\+?)\}$/.exec(text.slice(i));
        if (!m) {
          this.lineError ??= 'bad literal: use {size+} at the end of the line';
          break;
        }
        const size = Number(m[1]);
        this.literal = { size, keep: size <= this.maxLiteral() };
        if (!this.literal.keep) this.args.push({ type: 'tooLarge', size });
        return null;
      }
      let j = i;
      while (j < text.length && !' \t"{'.includes(text[j]!)) j++;
      this.args.push({ type: 'atom', value: text.slice(i, j) });
      i = j;
    }
    const args = this.args;
    const error = this.lineError;
    this.args = [];
    this.lineError = null;
    if (error) return { kind: 'error', message: error };
    return { kind: 'line', args };
  }
}
