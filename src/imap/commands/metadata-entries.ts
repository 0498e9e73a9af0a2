/**
 * METADATA entries (RFC 5464) in the store's keyed state (namespace "imap.metadata"), shared
 * by GETMETADATA, SETMETADATA and DELETE.
 *
 * - Keys: "S<entry>" for the server's entries, "M<mailbox id><entry>" for a mailbox's
 *   (entry = "/private/..." or "/shared/...", lower-cased). A mailbox's entries follow its id,
 *   so RENAME keeps them and DELETE removes them (no backend hands out a mailbox id twice).
 * - Scope: every entry belongs to the account that owns the mailbox (its own mailboxes only:
 *   another account's mailbox cannot be named here, so nothing reaches another account's
 *   entries), and so do the account's private server entries. The server's shared entries
 *   (/shared on "") are server-wide: every user reads them, administrators
 *   (`letterbox user admin`) set them, everyone else gets NO [NOPERM].
 * - Values: "t" + the text when it is UTF-8 without NUL, else "b" + base64 (PostgreSQL text
 *   holds no NUL).
 * - Limits: a value of at most METADATA_MAX_VALUE bytes (NO [METADATA MAXSIZE n]), at most
 *   METADATA_MAX_ENTRIES entries per account and for the server's shared entries
 *   (NO [METADATA TOOMANY]), and METADATA_MAX_BYTES of stored values in all (NO [LIMIT]).
 *   Two sessions writing at the same moment may pass a limit by their own few entries.
 * - Every SETMETADATA publishes the names it changed as "metadata" changes of the writing
 *   account (with the write's commit, so other processes hear them too): NOTIFY's
 *   MailboxMetadataChange and ServerMetadataChange (../session/notify.ts). The server's
 *   shared entries are server-wide, but the change bus is per account: other accounts are
 *   not told of them.
 */
import type { AccountId, Change } from '../../store/types.js';
import type { KvOps } from '../../store/kv-types.js';
import { isAdmin } from '../../auth/roles.js';
import { no, type ImapSession } from '../session/types.js';
import { mailboxName } from '../session/names.js';
import { astring, atom, respCode, type WireValue } from '../wire/encode.js';
import type { MetadataDepth, MetadataTarget } from '../wire/args/metadata.js';

export const METADATA_NS = 'imap.metadata';
/** below limits.line_length (64 KiB by default), which bounds a command's literals: a longer one is NO [TOOBIG] before it is read */
export const METADATA_MAX_VALUE = 32 * 1024;
export const METADATA_MAX_ENTRIES = 1000;
export const METADATA_MAX_BYTES = 1024 * 1024;
/** entry names per "metadata" change, in bytes: well below a feed payload (NOTIFY's 8000) */
const METADATA_CHANGE_BYTES = 4000;

/** where entries live: the server (mailboxId null) or one of the session's mailboxes */
export interface MetadataPlace {
  mailboxId: number | null;
}

/** the mailbox a METADATA command names (one of the session's own), or the server for "" */
export async function placeOf(s: ImapSession, target: MetadataTarget): Promise<{ place: MetadataPlace; name: WireValue }> {
  if (target.server) return { place: { mailboxId: null }, name: astring('') };
  const info = await s.ctx.store.getMailbox(s.accountId, target.mailbox);
  if (!info) throw no(`Mailbox "${target.mailbox}" does not exist`, 'NONEXISTENT');
  return { place: { mailboxId: info.id }, name: mailboxName(s, info.name) };
}

interface Slot {
  accountId: AccountId | null;
  key: string;
}

function slot(s: ImapSession, place: MetadataPlace, entry: string): Slot {
  if (place.mailboxId !== null) return { accountId: s.accountId, key: `M${place.mailboxId}${entry}` };
  return { accountId: entry === '/shared' || entry.startsWith('/shared/') ? null : s.accountId, key: `S${entry}` };
}

export function encodeValue(v: Buffer): string {
  const text = v.toString('utf8');
  return !text.includes('\0') && Buffer.byteLength(text) === v.length && Buffer.from(text, 'utf8').equals(v) ? 't' + text : 'b' + v.toString('base64');
}

export function decodeValue(v: string): Buffer {
  return v.startsWith('b') ? Buffer.from(v.slice(1), 'base64') : Buffer.from(v.slice(1), 'utf8');
}

/** the entry itself (value or null when absent), then its existing descendants to `depth` (RFC 5464 §4.2.2) */
export async function readEntries(s: ImapSession, place: MetadataPlace, entry: string, depth: MetadataDepth): Promise<Array<{ entry: string; value: Buffer | null }>> {
  const { accountId, key } = slot(s, place, entry);
  const store = s.ctx.store;
  const own = (await store.kvGet(METADATA_NS, accountId, [key])).get(key);
  const out: Array<{ entry: string; value: Buffer | null }> = [{ entry, value: own ? decodeValue(own.value) : null }];
  if (depth === 0) return out;
  const prefix = key + '/';
  const below = await store.kvList(METADATA_NS, accountId, { prefix, limit: METADATA_MAX_ENTRIES });
  for (const e of below) {
    const rest = e.key.slice(prefix.length);
    if (depth === 1 && rest.includes('/')) continue;
    out.push({ entry: `${entry}/${rest}`, value: decodeValue(e.value) });
  }
  return out;
}

/** sets (value) or removes (null) entries, after checking permission and limits; nothing is written when one fails */
export async function writeEntries(s: ImapSession, place: MetadataPlace, entries: Array<{ entry: string; value: Buffer | null }>): Promise<void> {
  const store = s.ctx.store;
  const byAccount = new Map<AccountId | null, Array<{ key: string; value: string | null }>>();
  for (const { entry, value } of entries) {
    const { accountId, key } = slot(s, place, entry);
    if (value && value.length > METADATA_MAX_VALUE) {
      s.log.info({ entry: entry.slice(0, 100), size: value.length }, 'imap: SETMETADATA value too large');
      throw no(`A value may have at most ${METADATA_MAX_VALUE} bytes`, respCode('METADATA', atom('MAXSIZE'), METADATA_MAX_VALUE));
    }
    const list = byAccount.get(accountId) ?? [];
    list.push({ key, value: value ? encodeValue(value) : null });
    byAccount.set(accountId, list);
  }
  if (byAccount.has(null) && !(await isAdmin(store, s.accountId))) {
    s.log.info('imap: SETMETADATA of a shared server entry refused (not an administrator)');
    throw no('Only administrators may set the server\'s shared entries', 'NOPERM');
  }
  for (const [accountId, writes] of byAccount) await checkLimits(s, store, accountId, writes);
  // RFC 5465 §5.7/§5.8: the entries' names go on the change bus with the last write (NOTIFY)
  const announce = metadataChanges(s.accountId, place.mailboxId ?? 0, entries.map((e) => e.entry), s.id);
  const groups = [...byAccount];
  for (const [i, [accountId, writes]] of groups.entries()) {
    const sets = writes.filter((w) => w.value !== null).map((w) => ({ key: w.key, value: w.value! }));
    const dels = writes.filter((w) => w.value === null).map((w) => w.key);
    const last = i === groups.length - 1;
    if (sets.length) await store.kvSet(METADATA_NS, accountId, sets, last && !dels.length ? { announce } : undefined);
    if (dels.length) await store.kvDelete(METADATA_NS, accountId, dels, last ? { announce } : undefined);
  }
}

/** the names of the entries that changed, as "metadata" changes small enough for one feed payload each (../../store/feed.ts) */
export function metadataChanges(accountId: AccountId, mailboxId: number, entries: string[], origin: string): Change[] {
  const out: Change[] = [];
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (batch.length) out.push({ kind: 'metadata', accountId, mailboxId, modseq: 0, entries: batch, origin });
    batch = [];
    size = 0;
  };
  for (const e of [...new Set(entries)]) {
    const n = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (size + n > METADATA_CHANGE_BYTES) flush();
    batch.push(e);
    size += n;
  }
  flush();
  return out;
}

async function checkLimits(s: ImapSession, store: KvOps, accountId: AccountId | null, writes: Array<{ key: string; value: string | null }>): Promise<void> {
  const existing = new Map<string, number>();
  // one more than allowed tells "full" apart from "at the limit"
  for (const e of await store.kvList(METADATA_NS, accountId, { limit: METADATA_MAX_ENTRIES + 1 })) existing.set(e.key, Buffer.byteLength(e.value));
  for (const w of writes) {
    if (w.value === null) existing.delete(w.key);
    else existing.set(w.key, Buffer.byteLength(w.value));
  }
  const adds = writes.some((w) => w.value !== null);
  if (adds && existing.size > METADATA_MAX_ENTRIES) {
    s.log.info({ entries: existing.size, server: accountId === null }, 'imap: SETMETADATA refused: too many entries');
    throw no(`At most ${METADATA_MAX_ENTRIES} entries are kept`, respCode('METADATA', atom('TOOMANY')));
  }
  let bytes = 0;
  for (const n of existing.values()) bytes += n;
  if (adds && bytes > METADATA_MAX_BYTES) {
    s.log.info({ bytes, server: accountId === null }, 'imap: SETMETADATA refused: too much metadata');
    throw no(`Entries may hold at most ${METADATA_MAX_BYTES} bytes in all`, 'LIMIT');
  }
}

/** removes a mailbox's entries (DELETE) */
export async function dropMailboxEntries(store: KvOps, accountId: AccountId, mailboxId: number): Promise<void> {
  for (;;) {
    const keys = (await store.kvList(METADATA_NS, accountId, { prefix: `M${mailboxId}/`, limit: 500 })).map((e) => e.key);
    if (!keys.length) return;
    await store.kvDelete(METADATA_NS, accountId, keys);
  }
}
