/** Message rows and blobs of the PostgreSQL store: the insert, remove and select paths shared by every part. */
import { createHash } from 'node:crypto';
import { StoreError, type Change, type Flag, type MessageMeta, type UidSet } from '../types.js';
import { hasFlag, mergedRanges, normaliseFlags } from '../util.js';
import { sentDayNumber } from '../search.js';
import type { PreparedBody } from '../sqlite/rows.js';
import type { Db, MailboxRow } from './context.js';

export interface MessageRow {
  uid: number;
  modseq: number;
  flags: Flag[];
  internal_date: number;
  size: number;
  guid: string;
  blob_hash: Buffer;
  seen: boolean;
  deleted: boolean;
}

export const META_COLS = 'uid, modseq, flags, internal_date, size, guid, blob_hash, seen, deleted';

export function toMeta(r: MessageRow): MessageMeta {
  return { uid: r.uid, modseq: r.modseq, flags: r.flags, internalDate: new Date(r.internal_date), size: r.size, guid: r.guid };
}

/** PostgreSQL text cannot hold U+0000: a NUL in a header or body becomes a space in the search text */
function noNul<T extends string | null>(s: T): T {
  return (s && s.includes('\u0000') ? s.replace(/\u0000/g, ' ') : s) as T;
}

/** stores the body once per account (content-addressed); returns its hash */
export async function insertBlob(db: Db, accountId: number, b: PreparedBody): Promise<Buffer> {
  const hash = createHash('sha256').update(b.raw).digest();
  await db.q(
    `INSERT INTO blobs (account_id, hash, size, bare_lf, date_header, sent_day, subject, mime, header_text, body_text, raw, sort_keys)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (account_id, hash) DO NOTHING`,
    [
      accountId,
      hash,
      b.raw.length,
      b.bareLf,
      noNul(b.dateHeader),
      sentDayNumber(b.dateHeader),
      noNul(b.subject),
      b.mimeJson,
      noNul(b.headerText),
      noNul(b.bodyText),
      b.raw,
      JSON.stringify(b.sortKeys), // JSON: a NUL is escaped
    ],
  );
  return hash;
}

export interface NewMessage {
  blobHash: Buffer;
  size: number;
  flags: Flag[];
  internalDate: number;
  guid: string;
  /** keep this UID (importMessages; ascending, checked by the caller); absent = the next one */
  uid?: number;
}

/**
 * Inserts messages at the mailbox's next UIDs, one MODSEQ each, allocated atomically with
 * one UPDATE … RETURNING on the mailbox row. `mb` is updated in place.
 */
export async function insertMessages(db: Db, mb: MailboxRow, list: NewMessage[], origin: string | undefined): Promise<Change[]> {
  if (list.length === 0) return [];
  const n = list.length;
  let uids: number[];
  let firstModseq: number;
  if (list.every((m) => m.uid === undefined)) {
    const [alloc] = await db.q<{ uid_next: number; highest_modseq: number }>(
      `UPDATE mailboxes SET uid_next = uid_next + $3, highest_modseq = highest_modseq + $3
       WHERE account_id = $1 AND id = $2 RETURNING uid_next, highest_modseq`,
      [mb.account_id, mb.id, n],
    );
    uids = list.map((_, i) => alloc!.uid_next - n + i);
    firstModseq = alloc!.highest_modseq - n + 1;
    mb.uid_next = alloc!.uid_next;
    mb.highest_modseq = alloc!.highest_modseq;
  } else {
    // UIDs kept from elsewhere: only valid while nobody took UIDs meanwhile (uid_next unchanged)
    let next = mb.uid_next;
    uids = list.map((m) => (next = (m.uid ?? next) + 1) - 1);
    const [alloc] = await db.q<{ highest_modseq: number }>(
      `UPDATE mailboxes SET uid_next = $4, highest_modseq = highest_modseq + $3
       WHERE account_id = $1 AND id = $2 AND uid_next = $5 RETURNING highest_modseq`,
      [mb.account_id, mb.id, n, next, mb.uid_next],
    );
    if (!alloc) throw new StoreError('TEMP', 'the mailbox changed while messages were imported; try again');
    firstModseq = alloc.highest_modseq - n + 1;
    mb.uid_next = next;
    mb.highest_modseq = alloc.highest_modseq;
  }
  const flags = list.map((m) => normaliseFlags(m.flags));
  await db.q(
    `INSERT INTO messages (account_id, mailbox_id, uid, modseq, flags, seen, deleted, internal_date, size, guid, blob_hash, save_date)
     SELECT $1, $2, u, $4::bigint + i - 1, ARRAY(SELECT jsonb_array_elements_text(f::jsonb)), s, d, t, z, g, h, $12::bigint
     FROM unnest($3::bigint[], $5::text[], $6::boolean[], $7::boolean[], $8::bigint[], $9::bigint[], $10::text[], $11::bytea[])
       WITH ORDINALITY AS x(u, f, s, d, t, z, g, h, i)`,
    [
      mb.account_id,
      mb.id,
      uids,
      firstModseq,
      flags.map((f) => JSON.stringify(f)),
      flags.map((f) => hasFlag(f, '\\Seen')),
      flags.map((f) => hasFlag(f, '\\Deleted')),
      list.map((m) => m.internalDate),
      list.map((m) => m.size),
      list.map((m) => m.guid),
      list.map((m) => m.blobHash),
      Date.now(),
    ],
  );
  return list.map((_, i) => ({
    kind: 'exists' as const,
    accountId: mb.account_id,
    mailboxId: mb.id,
    modseq: firstModseq + i,
    uid: uids[i]!,
    flags: flags[i]!,
    origin,
  }));
}

/** Removes messages (already selected) with one new MODSEQ, logs them as expunged, collects orphaned blobs. */
export async function removeMessages(
  db: Db,
  mb: MailboxRow,
  rows: Array<Pick<MessageRow, 'uid' | 'blob_hash'>>,
  origin: string | undefined,
  collect: (hashes: Buffer[]) => Promise<void>,
): Promise<Change | null> {
  if (rows.length === 0) return null;
  const [r] = await db.q<{ highest_modseq: number }>(
    'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE account_id = $1 AND id = $2 RETURNING highest_modseq',
    [mb.account_id, mb.id],
  );
  const modseq = r!.highest_modseq;
  mb.highest_modseq = modseq;
  const uids = rows.map((x) => x.uid).sort((a, b) => a - b);
  await db.q('DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])', [mb.account_id, mb.id, uids]);
  await db.q(
    `INSERT INTO expunged (account_id, mailbox_id, uid, modseq) SELECT $1, $2, u, $4 FROM unnest($3::bigint[]) AS u
     ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq`,
    [mb.account_id, mb.id, uids, modseq],
  );
  await collect(uniqueHashes(rows.map((x) => x.blob_hash)));
  return { kind: 'expunge', accountId: mb.account_id, mailboxId: mb.id, modseq, uids, origin };
}

export function uniqueHashes(hashes: Buffer[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const h of hashes) seen.set(h.toString('hex'), h);
  return [...seen.values()];
}


/** message rows of a UID set, ascending; `lock` takes row locks (FOR UPDATE) */
export async function selectRows<T = MessageRow>(
  db: Db,
  accountId: number,
  mailboxId: number,
  set: UidSet,
  cols = META_COLS,
  lock = false,
): Promise<T[]> {
  const merged = mergedRanges(set);
  if (merged.length === 0) return [];
  if (merged.length === 1)
    return db.q<T>(
      `SELECT ${cols} FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 ORDER BY uid${lock ? ' FOR UPDATE' : ''}`,
      [accountId, mailboxId, merged[0]![0], merged[0]![1]],
    );
  return db.q<T>(
    `SELECT ${cols.replace(/(^|, )(\w+)/g, '$1m.$2')} FROM messages m JOIN unnest($3::bigint[], $4::bigint[]) AS r(lo, hi) ON m.uid BETWEEN r.lo AND r.hi
     WHERE m.account_id = $1 AND m.mailbox_id = $2 ORDER BY m.uid${lock ? ' FOR UPDATE OF m' : ''}`,
    [accountId, mailboxId, merged.map((r) => r[0]), merged.map((r) => r[1])],
  );
}
