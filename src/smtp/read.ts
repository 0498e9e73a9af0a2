/**
 * Reads the DATA stream into memory with a size cap. smtp-server already counts the bytes
 * and flags `sizeExceeded` (and, with rejectOversized, answers 552 itself); past the cap we
 * keep draining the stream without keeping the bytes, so a huge message costs no memory.
 */
import type { SMTPServerDataStream } from 'smtp-server';

export async function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (over) continue;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  if (over || stream.sizeExceeded) return null;
  return Buffer.concat(chunks, size);
}
