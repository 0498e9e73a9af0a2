/**
 * Reads the DATA stream into memory with a size cap. smtp-server already counts the bytes
 * and flags `sizeExceeded` (and, with rejectOversized, answers 552 itself); past the cap we
 * keep draining the stream without keeping the bytes, so a huge message costs no memory.
 *
 * Messages are held in memory until they are stored, so all sessions of a process share
 * one MemoryBudget: without it, connections_per_ip × message_size (50 × 50 MiB) per client
 * address, unauthenticated on port 25, could exhaust memory. A message that does not fit
 * in what is left is drained like an oversized one and refused with a temporary 452
 * 4.3.1 (RFC 3463: mail system full), so the sender retries later.
 */
import type { SMTPServerDataStream } from 'smtp-server';

export class MemoryBudget {
  used = 0;
  constructor(readonly max: number) {}
  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

export type ReadResult =
  | { ok: true; raw: Buffer; release(): void }
  | { ok: false; reason: 'too-big' | 'busy' };

export async function readMessage(stream: SMTPServerDataStream, maxBytes: number, budget?: MemoryBudget): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let reserved = 0;
  let failed: 'too-big' | 'busy' | null = null;
  const giveBack = () => {
    budget?.release(reserved);
    reserved = 0;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (failed) continue;
      size += chunk.length;
      if (size > maxBytes) failed = 'too-big';
      else if (budget && !budget.take(chunk.length)) failed = 'busy';
      else {
        reserved += budget ? chunk.length : 0;
        chunks.push(chunk);
        continue;
      }
      chunks.length = 0;
      giveBack();
    }
  } catch (err) {
    giveBack();
    throw err;
  }
  if (stream.sizeExceeded) failed = 'too-big';
  if (failed) {
    giveBack();
    return { ok: false, reason: failed };
  }
  // the copy made by concat replaces the chunks: still `size` bytes held until release()
  return { ok: true, raw: Buffer.concat(chunks, size), release: giveBack };
}
