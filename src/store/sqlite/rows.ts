/** Message rows and blobs of the SQLite store: conversion and the insert path shared by append/copy/move/restore. */
import { createHash } from 'node:crypto';
import { indexMessage } from '../../mime/index.js';
import { headerFieldsText, searchableText, TEXT_CAP, type DecodedParts } from '../../mime/text.js';
import { indexWithPrefix } from '../../mime/prefix.js';
import type { MimeIndex } from '../../mime/types.js';
import type { Summarizer } from '../summary-types.js';
import type { Change, Flag, MessageMeta, UidSet } from '../types.js';
import { hasFlag, mergedRanges, normaliseFlags } from '../util.js';
import { sentDayNumber } from '../search.js';
import { computeSortKeys } from '../sort-keys.js';
import type { SortKeys } from '../sort-types.js';
import { insertSortKeys } from './sort-schema.js';
import type { Ctx, MailboxRow } from './context.js';

export interface MessageRow {
  mailbox_id: number;
  uid: number;
  modseq: number;
  account_id: number;
  flags: string;
  seen: number;
  deleted: number;
  internal_date: number;
  size: number;
  guid: string;
  blob_id: number;
  hidden_pop3: number;
}

/** flags column (JSON array) → array; the common empty list skips the parser */
export function parseFlags(json: string): Flag[] {
  return json === '[]' ? [] : (JSON.parse(json) as Flag[]);
}

export function toMeta(r: Pick<MessageRow, 'uid' | 'modseq' | 'flags' | 'internal_date' | 'size' | 'guid'>): MessageMeta {
  return {
    uid: r.uid,
    modseq: r.modseq,
    flags: parseFlags(r.flags),
    internalDate: new Date(r.internal_date),
    size: r.size,
    guid: r.guid,
  };
}

/**
 * The columns of MessageMeta (+ blob_id) as arrays, in this order. FETCH/SELECT read
 * thousands of rows; raw arrays of just these columns are several times faster than
 * `SELECT *` row objects (better-sqlite3 builds one object per row).
 */
export const META_COLS = 'uid, modseq, flags, internal_date, size, guid, blob_id';
export type MetaTuple = [uid: number, modseq: number, flags: string, internalDate: number, size: number, guid: string, blobId: number];

export function tupleToMeta(t: MetaTuple): MessageMeta {
  return { uid: t[0], modseq: t[1], flags: parseFlags(t[2]), internalDate: new Date(t[3]), size: t[4], guid: t[5] };
}

/** Everything computed from the raw bytes before the transaction (CPU work stays outside the write lock). */
export interface PreparedBody {
  raw: Buffer;
  mimeJson: string;
  bareLf: number;
  dateHeader: string | null;
  subject: string | null;
  headerText: string;
  bodyText: string;
  /** sort, thread and preview keys (../sort-types.ts), stored in blob_sort and blob_preview */
  sortKeys: SortKeys;
  /** the store's summarizer's text (../summary-types.ts); undefined when not computed (a parse worker has none) */
  summary?: string | null;
  /** where the message's own header block ends (its index's root.bodyStart): raw[0, headerEnd) is kept apart */
  headerEnd: number;
  /** mimeJson's object when this thread has it (a parse worker sends only the JSON): a delivery's copies are shifted from it */
  index?: MimeIndex;
}

/** The parts of PreparedBody computed from the bytes (what a parse worker sends back). */
export type PreparedFields = Omit<PreparedBody, 'raw' | 'index'>;

export function prepareFields(raw: Buffer, index?: MimeIndex, maxDepth?: number, summarizer?: Summarizer): PreparedFields {
  const idx = index ?? indexMessage(raw, { maxDepth });
  // the preview's part is decoded once, for both
  const decoded: DecodedParts = new Map();
  const text = searchableText(raw, idx, decoded);
  return {
    mimeJson: JSON.stringify(idx),
    bareLf: idx.bareLf,
    dateHeader: idx.root.envelope?.date ?? null,
    subject: idx.root.envelope?.subject ?? null,
    headerText: text.header.toLowerCase(),
    bodyText: text.body.toLowerCase(),
    sortKeys: computeSortKeys(raw, idx, decoded),
    summary: summarizer?.summarize(idx),
    headerEnd: idx.root.bodyStart,
  };
}

export function prepareBody(raw: Buffer, index?: MimeIndex, maxDepth?: number, summarizer?: Summarizer): PreparedBody {
  const idx = index ?? indexMessage(raw, { maxDepth });
  return { raw, index: idx, ...prepareFields(raw, idx, maxDepth, summarizer) };
}

/** SHA-256 of the raw bytes as lower-case hex: recorded with every body, checked by `letterbox verify` */
export function contentHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * A delivery copy: `prefix` (header fields for one recipient) + the prepared message. The
 * index is shifted, not parsed again (src/mime/prefix.ts); the search text gains the
 * prefix's fields. `index` is the parsed form of body.mimeJson (parse it once per delivery).
 */
export function prefixedBody(body: PreparedBody, index: MimeIndex, prefix: Buffer | undefined, maxDepth?: number, summarizer?: Summarizer): PreparedBody {
  if (!prefix?.length) return body;
  const raw = Buffer.concat([prefix, body.raw]);
  const shifted = indexWithPrefix(index, body.raw.length, prefix);
  if (!shifted) return prepareBody(raw, undefined, maxDepth, summarizer); // an empty message: nothing to parse
  const header = headerFieldsText(prefix).toLowerCase();
  return {
    ...body,
    raw,
    index: shifted,
    mimeJson: JSON.stringify(shifted),
    summary: summarizer?.summarize(shifted),
    headerEnd: shifted.root.bodyStart,
    headerText: (body.headerText ? `${header}\n${body.headerText}` : header).slice(0, TEXT_CAP),
  };
}

export function insertBlob(ctx: Ctx, b: PreparedBody): number {
  const id = Number(
    ctx
      .q(
        `INSERT INTO blobs (size, bare_lf, date_header, sent_day, subject, mime, header_text, body_text, raw, sha256)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(b.raw.length, b.bareLf, b.dateHeader, sentDayNumber(b.dateHeader), b.subject, b.mimeJson, b.headerText, b.bodyText, b.raw, contentHash(b.raw))
      .lastInsertRowid,
  );
  // SEARCH BODY/TEXT: indexed after the commit, scanned until then (fts-queue.ts)
  ctx.fulltext.defer();
  // SORT / THREAD / PREVIEW read these small rows, never the blob (./sort.ts)
  insertSortKeys(ctx.q, id, b.sortKeys);
  // FETCH ENVELOPE / BODYSTRUCTURE read these small rows, never the index (../summary-types.ts)
  if (b.summary && ctx.summarizer) ctx.q('INSERT INTO blob_summaries (blob_id, version, summary) VALUES (?, ?, ?)').run(id, ctx.summarizer.version, b.summary);
  // FETCH BODY[HEADER.FIELDS (...)] reads this small row, never the body (../summary-types.ts getHeaders)
  ctx.q('INSERT INTO blob_headers (blob_id, header) VALUES (?, ?)').run(id, b.raw.subarray(0, b.headerEnd));
  return id;
}

export interface NewMessage {
  blobId: number;
  size: number;
  flags: Flag[];
  internalDate: number;
  guid: string;
  /** a UID kept from another server (>= uid_next, checked by the caller); default the next one */
  uid?: number;
}

/**
 * Inserts one message at the mailbox's next UID (or m.uid) with the next MODSEQ. `mb` is updated in
 * place (uid_next, highest_modseq) and written back, so callers may insert many in a row.
 */
export function insertMessage(ctx: Ctx, mb: MailboxRow, m: NewMessage, origin: string | undefined): Change {
  const flags = normaliseFlags(m.flags);
  const uid = m.uid ?? mb.uid_next;
  mb.uid_next = uid + 1;
  const modseq = ++mb.highest_modseq;
  ctx
    .q(
      `INSERT INTO messages (mailbox_id, uid, modseq, account_id, flags, seen, deleted, internal_date, size, guid, blob_id, save_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(mb.id, uid, modseq, mb.account_id, JSON.stringify(flags), hasFlag(flags, '\\Seen') ? 1 : 0, hasFlag(flags, '\\Deleted') ? 1 : 0, m.internalDate, m.size, m.guid, m.blobId, Date.now());
  ctx.q('UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE id = ?').run(mb.uid_next, mb.highest_modseq, mb.id);
  return { kind: 'exists', accountId: mb.account_id, mailboxId: mb.id, modseq, uid, flags, origin };
}

/** Removes messages (already selected) with one new MODSEQ, logs them as expunged, collects orphaned blobs. */
export function removeMessages(ctx: Ctx, mb: MailboxRow, rows: MessageRow[], origin: string | undefined): Change | null {
  if (rows.length === 0) return null;
  const modseq = ++mb.highest_modseq;
  const del = ctx.q('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?');
  const log = ctx.q('INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)');
  const uids = rows.map((r) => r.uid).sort((a, b) => a - b);
  for (const uid of uids) {
    del.run(mb.id, uid);
    log.run(mb.id, uid, modseq);
  }
  ctx.q('UPDATE mailboxes SET highest_modseq = ? WHERE id = ?').run(modseq, mb.id);
  ctx.collectBlobs(rows.map((r) => r.blob_id));
  return { kind: 'expunge', accountId: mb.account_id, mailboxId: mb.id, modseq, uids, origin };
}

/**
 * Message rows of a UID set, ascending, without duplicates. `cols` defaults to every column;
 * `raw` returns each row as an array of the columns (much cheaper for many rows).
 */
export function selectRows<T = MessageRow>(ctx: Ctx, mailboxId: number, set: UidSet, cols = '*', raw = false): T[] {
  const merged = mergedRanges(set);
  const stmt = ctx.q(`SELECT ${cols} FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`);
  stmt.raw(raw);
  if (merged.length === 1) return stmt.all(mailboxId, merged[0]![0], merged[0]![1]) as T[];
  const out: T[] = [];
  for (const [lo, hi] of merged) for (const r of stmt.all(mailboxId, lo, hi) as T[]) out.push(r);
  return out;
}

/**
 * uid, modseq, flags of a UID set, ascending. SQLite concatenates the rows into one JSON
 * array (the flags column is JSON already) and V8 parses it: about twice as fast as
 * stepping through the rows for a 10,000-message FETCH FLAGS.
 */
export function selectFlags(ctx: Ctx, mailboxId: number, set: UidSet): Array<{ uid: number; modseq: number; flags: Flag[] }> {
  const stmt = ctx
    .q(
      `SELECT '[' || group_concat(uid || ',' || modseq || ',' || flags) || ']' FROM
       (SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid)`,
    )
    .pluck(true);
  const out: Array<{ uid: number; modseq: number; flags: Flag[] }> = [];
  for (const [lo, hi] of mergedRanges(set)) {
    const json = stmt.get(mailboxId, lo, hi) as string | null;
    if (!json) continue;
    const flat = JSON.parse(json) as Array<number | Flag[]>;
    for (let i = 0; i < flat.length; i += 3) out.push({ uid: flat[i] as number, modseq: flat[i + 1] as number, flags: flat[i + 2] as Flag[] });
  }
  return out;
}

