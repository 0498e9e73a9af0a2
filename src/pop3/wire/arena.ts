/**
 * Reusable memory for outgoing responses (pure: no sockets). A response is written into a
 * region of a large slab; the region's `release` is called once the bytes have left (the
 * socket's write callback), and a slab whose regions are all released is written over
 * again. A RETR therefore allocates no output buffer of its own: a fresh off-heap buffer per
 * message is external memory, and external memory is what drove V8's major collections during
 * a POP3 download (a quarter of the server's CPU in the bench profile).
 *
 * - Bytes handed out are never written over before their release: a slab still holding
 *   unreleased regions when it runs out of room is retired and a spare (or new) slab is
 *   taken; the retired slab becomes a spare once its last region is released.
 * - A region larger than the slab is a buffer of its own (release does nothing).
 * - A release that never comes (a write callback that does not fire) only keeps its slab
 *   out of reuse: it is collected like any other buffer.
 */

interface Slab {
  buf: Buffer;
  /** next free byte */
  off: number;
  /** regions handed out and not yet released */
  held: number;
}

export interface Region {
  bytes: Buffer;
  /** call once `bytes` is no longer needed; later calls do nothing */
  release: () => void;
}

const noop = (): void => {};

export class OutputArena {
  private cur: Slab | null = null;
  private readonly spares: Slab[] = [];

  constructor(
    readonly slabSize = 1024 * 1024,
    private readonly maxSpares = 1,
  ) {}

  /**
   * `write` fills the buffer it is given (at least `max` bytes, from 0) and returns how many
   * bytes it wrote; those bytes come back as `bytes`. The buffer must not be kept.
   */
  fill(max: number, write: (into: Buffer) => number): Region {
    if (max > this.slabSize) {
      const own = Buffer.allocUnsafeSlow(max);
      return { bytes: own.subarray(0, write(own)), release: noop };
    }
    const s = this.slabFor(max);
    const start = s.off;
    const n = write(s.buf.subarray(start, start + max));
    s.off = start + n;
    s.held++;
    let released = false;
    return {
      bytes: s.buf.subarray(start, start + n),
      release: () => {
        if (released) return;
        released = true;
        this.released(s);
      },
    };
  }

  /** the slab the next `n` bytes go into */
  private slabFor(n: number): Slab {
    const cur = this.cur;
    if (cur) {
      if (cur.off + n <= cur.buf.length) return cur;
      if (cur.held === 0) {
        cur.off = 0;
        return cur;
      }
    }
    const next = this.spares.pop() ?? { buf: Buffer.allocUnsafeSlow(this.slabSize), off: 0, held: 0 };
    next.off = 0;
    this.cur = next;
    return next;
  }

  private released(s: Slab): void {
    if (--s.held > 0) return;
    if (s === this.cur) s.off = 0;
    else if (this.spares.length < this.maxSpares) this.spares.push(s);
  }
}
