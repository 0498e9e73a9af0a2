/**
 * POP3 command-line splitter (pure: bytes in, lines out; never touches a socket).
 *
 * RFC 1939 §3: commands are a keyword, optional arguments and CRLF. RFC 2449 §4 caps a
 * command line at 255 octets; AUTH continuation lines (RFC 5034 §4) carry base64 and may be
 * longer, so the limit here is the configured `limits.line_length`. A bare LF is accepted as
 * a line end (lenient toward sloppy clients). A line over the limit is reported once as
 * `too-long` and its remaining bytes up to the next LF are discarded.
 */

export type LineEvent = { kind: 'line'; line: string } | { kind: 'too-long' };

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  /** true while discarding the rest of an over-long line */
  private skipping = false;

  constructor(private readonly maxLength: number) {}

  /** true while part of a line is buffered (or being skipped): the client owes the rest */
  get holding(): boolean {
    return this.pending > 0 || this.skipping;
  }

  /** feeds received bytes; returns the complete lines (without CRLF) they finish */
  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) {
        const rest = chunk.subarray(start);
        if (!this.skipping && rest.length > 0) {
          this.parts.push(rest);
          this.pending += rest.length;
          if (this.pending > this.maxLength) {
            this.parts = [];
            this.pending = 0;
            this.skipping = true;
            out.push({ kind: 'too-long' });
          }
        }
        break;
      }
      const piece = chunk.subarray(start, lf);
      start = lf + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      let line = this.pending > 0 ? Buffer.concat([...this.parts, piece]) : piece;
      this.parts = [];
      this.pending = 0;
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      if (line.length > this.maxLength) out.push({ kind: 'too-long' });
      else out.push({ kind: 'line', line: line.toString('utf8') });
    }
    return out;
  }

  /** forgets buffered input (after STLS, RFC 2595 §4: no pipelined plaintext survives the upgrade) */
  reset(): void {
    this.parts = [];
    this.pending = 0;
    this.skipping = false;
  }
}

/** A parsed command line: keyword upper-cased, the raw argument text and its words. */
export interface Pop3CommandLine {
  keyword: string;
  /** everything after the first space (PASS keeps spaces, RFC 1939 §7 note) */
  rest: string;
  args: string[];
}

export function parseCommandLine(line: string): Pop3CommandLine {
  const sp = line.indexOf(' ');
  const keyword = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  const args = rest.split(' ').filter((a) => a.length > 0);
  return { keyword, rest, args };
}
