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
import { stuffChunks, stuffedMax, stuffInto } from '../wire/dotstuff.js';
import { OutputArena } from '../wire/arena.js';

export async function loadRaw(s: Pop3Session, entry: Pop3Entry): Promise<Buffer> {
  const { account, maildrop } = s.login!;
  return s.ctx.store.getRaw(account.id, maildrop.inbox.id, entry.uid);
}

/** messages up to this size leave in one write (status line, bytes and terminator together) */
const ONE_WRITE = 256 * 1024;

/**
 * Where those one-write responses are built: one arena for all POP3 sessions of the process,
 * a region given back by the socket's write callback (../wire/arena.ts). 1 MiB holds the
 * largest one-write response (2 × ONE_WRITE + status line: every LF bare).
 */
const arena = new OutputArena(1024 * 1024);

/** `plain`: the caller knows `data` holds no bare LF (Pop3Entry.pop3Size === size) */
export async function sendMultiline(s: Pop3Session, first: string, data: Buffer, plain = false): Promise<void> {
  const head = ok(first);
  if (data.length <= ONE_WRITE) {
    const out = arena.fill(stuffedMax(head, data.length), (into) => stuffInto(data, into, head, plain));
    await s.write(out.bytes, out.release);
    return;
  }
  await s.write(head);
  // no bare LF and no line starting with ".": the bytes go out as they are, without a copy
  if (plain && data[0] !== 0x2e && data.indexOf('\n.') < 0) {
    await s.write(data);
    await s.write(data[data.length - 1] === 0x0a ? '.\r\n' : '\r\n.\r\n');
    return;
  }
  for (const chunk of stuffChunks(data)) {
    if (s.isClosed) return;
    await s.write(chunk);
  }
}
