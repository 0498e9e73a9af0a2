/**
 * Streams message bytes as a multi-line response: "+OK", the dot-stuffed bytes in chunks
 * (waiting for the socket to drain), then the terminator. Shared by RETR and TOP.
 * A message expunged by another session since login surfaces here as StoreError EXPUNGED
 * from getRaw, before anything is written, and becomes "-ERR Message was deleted by another
 * session" (../errors.ts); UIDs are never reused, so another message's bytes cannot appear.
 */
import type { Pop3Session } from '../session.js';
import type { Pop3Entry } from '../../store/types.js';
import { ok } from '../wire/response.js';
import { stuffChunks } from '../wire/dotstuff.js';

export async function loadRaw(s: Pop3Session, entry: Pop3Entry): Promise<Buffer> {
  const { account, maildrop } = s.login!;
  return s.ctx.store.getRaw(account.id, maildrop.inbox.id, entry.uid);
}

/** messages up to this size leave in one write (status line, bytes and terminator together) */
const ONE_WRITE = 256 * 1024;

export async function sendMultiline(s: Pop3Session, first: string, data: Buffer): Promise<void> {
  if (data.length <= ONE_WRITE) {
    const parts = [Buffer.from(ok(first), 'latin1'), ...stuffChunks(data, ONE_WRITE)];
    await s.write(Buffer.concat(parts));
    return;
  }
  await s.write(ok(first));
  for (const chunk of stuffChunks(data)) {
    if (s.isClosed) return;
    await s.write(chunk);
  }
}
