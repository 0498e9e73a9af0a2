/**
 * Streams message bytes as a multi-line response: "+OK", the dot-stuffed bytes in chunks
 * (waiting for the socket to drain), then the terminator. Shared by RETR and TOP.
 * A message expunged by another session since login surfaces here as StoreError EXPUNGED
 * from getRaw, before anything is written, and becomes "-ERR Message was deleted by another
 * session" (../errors.ts); UIDs are never reused, so another message's bytes cannot appear.
 */
import type { Pop3Session } from '../session/session.js';
import type { Pop3Entry } from '../../store/types.js';
import { ok } from '../wire/response.js';
import { stuffAll, stuffChunks } from '../wire/dotstuff.js';

export async function loadRaw(s: Pop3Session, entry: Pop3Entry): Promise<Buffer> {
  const { account, maildrop } = s.login!;
  return s.ctx.store.getRaw(account.id, maildrop.inbox.id, entry.uid);
}

/** messages up to this size leave in one write (status line, bytes and terminator together) */
const ONE_WRITE = 256 * 1024;

/** `plain`: the caller knows `data` holds no bare LF (Pop3Entry.pop3Size === size) */
export async function sendMultiline(s: Pop3Session, first: string, data: Buffer, plain = false): Promise<void> {
  // no bare LF (pop3Size = size) and no line starting with ".": the bytes go out as they are
  if (plain && data[0] !== 0x2e && data.indexOf('\n.') < 0) {
    const end = data.length === 0 || data[data.length - 1] === 0x0a ? '.\r\n' : '\r\n.\r\n';
    if (data.length <= ONE_WRITE) {
      await s.write(Buffer.concat([Buffer.from(ok(first), 'latin1'), data, Buffer.from(end, 'latin1')]));
    } else {
      await s.write(ok(first));
      await s.write(data);
      await s.write(end);
    }
    return;
  }
  if (data.length <= ONE_WRITE) {
    await s.write(stuffAll(data, ok(first)));
    return;
  }
  await s.write(ok(first));
  for (const chunk of stuffChunks(data)) {
    if (s.isClosed) return;
    await s.write(chunk);
  }
}
