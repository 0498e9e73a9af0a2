/**
 * Streams message bytes as a multi-line response: "+OK", the dot-stuffed bytes in chunks
 * (waiting for the socket to drain), then the terminator. Shared by RETR and TOP.
 * A message expunged by another session since login surfaces here as StoreError EXPUNGED
 * from getRaw, before anything is written, and becomes "-ERR Message was deleted by another
 * session" (../errors.ts); UIDs are never reused, so another message's bytes cannot appear.
 */
import type { Pop3Session } from '../session/session.js';
import { StoreError, type Pop3Entry } from '../../store/types.js';
import { ok } from '../wire/response.js';
import { stuffChunks, stuffedMax, stuffInto } from '../wire/dotstuff.js';
import { OutputArena } from '../wire/arena.js';
import { parseNumber } from './args.js';

export async function loadRaw(s: Pop3Session, entry: Pop3Entry): Promise<Buffer> {
  const { account, maildrop } = s.login!;
  return s.ctx.store.getRaw(account.id, maildrop.inbox.id, entry.uid);
}

/** a pipelined window's bodies are read together: at most this many behind the running RETR… */
const AHEAD_MESSAGES = 16;
/** …and this many octets in all (with the running one's) */
const AHEAD_BYTES = 1024 * 1024;

/**
 * The body for RETR of `entry`. When more RETRs are queued right behind this one (a client
 * pipelining, RFC 2449 §6.6), their bodies are read in the same store call (getRawMany: one
 * statement instead of one per message) and kept on the session until their turn; each is
 * taken once. The window read ahead stops at the first other command, an invalid or deleted
 * message number, AHEAD_MESSAGES or AHEAD_BYTES. Those commands had all arrived when the
 * bodies were read, so answering from that one read is answering them at that moment: a
 * message found gone by it fails as it would alone (EXPUNGED, "-ERR ... deleted").
 */
export async function loadForRetr(s: Pop3Session, entry: Pop3Entry): Promise<Buffer> {
  const ahead = s.readAhead;
  if (ahead.has(entry.uid)) {
    const kept = ahead.get(entry.uid)!;
    ahead.delete(entry.uid);
    if (!kept) throw gone(entry.uid);
    return kept;
  }
  const { account, maildrop } = s.login!;
  const uids = [entry.uid];
  let room = AHEAD_BYTES - entry.pop3Size;
  for (const cmd of s.queuedCommands()) {
    if (uids.length > AHEAD_MESSAGES || cmd.keyword !== 'RETR' || cmd.args.length !== 1) break;
    const n = parseNumber(cmd.args[0]);
    const next = n === null ? null : maildrop.entry(n);
    if (!next || maildrop.isDeleted(n!) || next.pop3Size > room) break;
    // asked twice in the window: the second RETR reads it again (each kept body is taken once)
    if (uids.includes(next.uid) || ahead.has(next.uid)) continue;
    room -= next.pop3Size;
    uids.push(next.uid);
  }
  if (uids.length === 1) return loadRaw(s, entry);
  const raws = await s.ctx.store.getRawMany(account.id, maildrop.inbox.id, uids);
  // every kept body belongs to a RETR still queued; the cap only guards against a bug
  if (ahead.size > 4 * AHEAD_MESSAGES) ahead.clear();
  for (let i = 1; i < uids.length; i++) ahead.set(uids[i]!, raws[i] ?? null);
  if (!raws[0]) throw gone(entry.uid);
  return raws[0];
}

const gone = (uid: number): StoreError => new StoreError('EXPUNGED', `message UID ${uid} no longer exists`);

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
