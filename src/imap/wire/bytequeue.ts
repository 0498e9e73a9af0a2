/**
 * The reader's input buffer: received chunks kept as they are (never concatenated),
 * with a resumable LF search so that input trickling in byte by byte stays linear.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private off = 0; // start offset inside chunks[0]
  /** bytes buffered */
  size = 0;
  // the LF search resumes where the last one stopped
  private scanIdx = 0;
  private scanPos = 0;
  private scanned = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Offset of the first LF from the head, or -1. */
  findLF(): number {
    while (this.scanIdx < this.chunks.length) {
      const c = this.chunks[this.scanIdx]!;
      const start = this.scanIdx === 0 ? Math.max(this.scanPos, this.off) : this.scanPos;
      const k = c.indexOf(0x0a, start);
      if (k >= 0) {
        this.scanPos = start;
        return this.scanned + (k - start);
      }
      this.scanned += c.length - start;
      this.scanIdx++;
      this.scanPos = 0;
    }
    return -1;
  }

  peekHead(n: number): Buffer {
    const c = this.chunks[0];
    if (!c) return Buffer.alloc(0);
    return c.subarray(this.off, Math.min(c.length, this.off + n));
  }

  /** Copies/slices the first n bytes without consuming them. */
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (!first || n === 0) return Buffer.alloc(0);
    if (first.length - this.off >= n) return first.subarray(this.off, this.off + n);
    const out = Buffer.allocUnsafe(n);
    let w = 0;
    for (let i = 0; w < n; i++) {
      const c = this.chunks[i]!;
      const s = i === 0 ? this.off : 0;
      const k = Math.min(c.length - s, n - w);
      c.copy(out, w, s, s + k);
      w += k;
    }
    return out;
  }

  /** Drops the first n bytes; returns them as slices when keep is set. */
  consume(n: number, keep: boolean): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    let drop = 0; // whole chunks consumed, removed with one splice (no quadratic shift())
    while (left > 0) {
      const c = this.chunks[drop]!;
      const avail = c.length - this.off;
      const k = Math.min(avail, left);
      if (keep) out.push(c.subarray(this.off, this.off + k));
      left -= k;
      if (k === avail) {
        drop++;
        this.off = 0;
      } else this.off += k;
    }
    if (drop) this.chunks.splice(0, drop);
    this.size -= n;
    this.scanIdx = 0;
    this.scanPos = 0;
    this.scanned = 0;
    return out;
  }
}
