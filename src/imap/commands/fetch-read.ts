/**
 * FETCH, step 2 of 3: reading one batch of messages from the store — metadata (with the
 * MIME index when the plan needs it), \Seen set for BODY[] without PEEK, and raw bytes one
 * message at a time so a batch never holds more than one message body.
 *
 * This is the seam for making FETCH faster (batched reads, a flag cache): it takes UIDs and
 * yields rows; nothing here writes to the client.
 */
import type { SortRow } from '../../store/sort-types.js';
import type { MessageWithHeader } from '../../store/summary-types.js';
import type { MessageMeta, MessageWithIndex, UidSet } from '../../store/types.js';
import { parseSummary, summaryText, type FetchSummary, type StructureItem } from './fetch-summary.js';
import { toUidSet } from '../session/selected.js';
import { summaryCacheOf } from './summary-cache.js';
import type { ImapSession } from '../session/types.js';
import type { FetchPlan } from './fetch-plan.js';

export interface FetchRow {
  meta: MessageMeta | MessageWithIndex;
  /** the stored bytes when the plan needs them (set by FetchBatch.fill) */
  raw: Buffer | null;
  /**
   * `raw` is the store's header block of the message (plan.headerOnly), an object the store
   * may hand out again: fetch-render.ts keeps header field selections by it
   */
  headerBlock: boolean;
  /** this FETCH set \Seen on the message (its FLAGS are reported even when not asked for) */
  seenNow: boolean;
  /** keys indexed at delivery (preview, thread ids) when the plan needs them */
  keys: SortRow | null;
  /** the store's summary (ENVELOPE, BODYSTRUCTURE as sent) when the plan reads summaries */
  summary: FetchSummary | null;
}

export interface FetchBatch {
  /** UIDs of the batch that no longer exist in the store (expunged by another session, not yet announced here) */
  gone: number[];
  /**
   * rows in ascending UID order, without their bytes: a plan that needs them calls
   * fill(row) before rendering each row (a metadata FETCH never waits per row)
   */
  rows: FetchRow[];
  /** reads the row's stored bytes; false when the message vanished meanwhile (counted in `missing`) */
  fill(row: FetchRow): Promise<boolean>;
  /** rows dropped because their bytes vanished while reading (counted by fill) */
  missing: number;
}

export async function readBatch(s: ImapSession, plan: FetchPlan, uids: number[]): Promise<FetchBatch> {
  const v = s.selected!;
  const store = s.ctx.store;
  const uidSet = toUidSet(uids);
  let summaries: Map<number, FetchSummary> | null = null;
  const headers = plan.headerOnly && store.getHeaders ? await store.getHeaders(v.owner, v.mailboxId, uidSet) : null;
  let metas: Array<MessageMeta | MessageWithIndex> =
    headers
    ? headers
    : plan.structureItems && store.getSummaries
    ? await readSummaries(s, plan.structureItems, uidSet, (summaries = new Map()))
    : plan.needIndex
    ? await store.getMessagesWithIndex(v.owner, v.mailboxId, uidSet)
    : plan.flagsOnly && store.getFlags
      ? // only uid/modseq/flags are rendered (and compared with CHANGEDSINCE)
        ((await store.getFlags(v.owner, v.mailboxId, uidSet)) as MessageMeta[])
      : await store.getMessages(v.owner, v.mailboxId, uidSet);
  const gone: number[] = [];
  if (metas.length < uids.length) {
    const have = new Set(metas.map((m) => m.uid));
    for (const u of uids) if (!have.has(u)) gone.push(u);
  }
  if (plan.changedSince !== null) metas = metas.filter((m) => m.modseq > plan.changedSince!);
  const seenNow = new Set<number>();
  // RFC 4314 §4: FETCH sets \Seen only with the "s" right
  if (plan.setsSeen && v.rights.includes('s')) {
    const unseen = metas.filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
    if (unseen.length) {
      const r = await store.storeFlags(v.owner, v.mailboxId, toUidSet(unseen), 'add', ['\\Seen'], { origin: s.id });
      const updated = new Map(r.updated.map((u) => [u.uid, u]));
      metas = metas.map((m) => {
        const u = updated.get(m.uid);
        if (u) seenNow.add(m.uid);
        return u ? { ...m, flags: u.flags, modseq: u.modseq } : m;
      });
      v.ingest(r.changes);
    }
  }
  const keys = plan.needKeys ? new Map((await store.sortRows(v.owner, v.mailboxId, uidSet)).map((r) => [r.uid, r])) : null;
  const rows: FetchRow[] = new Array(metas.length);
  for (let i = 0; i < metas.length; i++) {
    const meta = metas[i]!;
    rows[i] = {
      meta,
      // the header block stands for the whole message: every item of the plan reads only that
      raw: headers ? (meta as MessageWithHeader).header : null,
      headerBlock: headers !== null,
      seenNow: seenNow.size > 0 && seenNow.has(meta.uid),
      keys: keys ? (keys.get(meta.uid) ?? null) : null,
      summary: summaries ? (summaries.get(meta.uid) ?? null) : null,
    };
  }
  const accountId = v.owner;
  const batch: FetchBatch = {
    gone,
    rows,
    missing: 0,
    async fill(row) {
      if (row.raw) return true; // the header block (plan.headerOnly)
      try {
        row.raw = await store.getRaw(accountId, v.mailboxId, row.meta.uid);
        return true;
      } catch {
        batch.missing++;
        return false;
      }
    },
  };
  return batch;
}

/**
 * Metadata and stored summaries (./fetch-summary.ts); messages whose summary lacks one of
 * `items` for this session get their MIME index instead (one more store call for them only).
 */
async function readSummaries(s: ImapSession, items: StructureItem[], uidSet: UidSet, out: Map<number, FetchSummary>): Promise<Array<MessageMeta | MessageWithIndex>> {
  const v = s.selected!;
  const cache = summaryCacheOf(s.ctx.store);
  // summaries parsed before (./summary-cache.ts) are not read again
  const rows = await s.ctx.store.getSummaries!(v.owner, v.mailboxId, uidSet, { known: (k) => cache.has(k) });
  const utf8 = s.utf8;
  const lacking: number[] = [];
  for (const r of rows) {
    const key = r.summaryKey;
    let summary = key === undefined ? null : (cache.get(key) ?? null);
    if (!summary) {
      // (also when the entry left the cache since the store was asked: its text was not read, so the index is used)
      summary = parseSummary(r.summary);
      if (summary && key !== undefined) cache.set(key, summary, r.summary!.length);
    }
    if (summary && items.every((i) => summaryText(summary!, i, utf8) !== null)) out.set(r.uid, summary);
    else lacking.push(r.uid);
  }
  if (!lacking.length) return rows;
  const indexed = new Map((await s.ctx.store.getMessagesWithIndex(v.owner, v.mailboxId, toUidSet(lacking))).map((m) => [m.uid, m]));
  // a message expunged between the two reads is left out, as if gone before the first
  return rows.flatMap((r): Array<MessageMeta | MessageWithIndex> => (out.has(r.uid) ? [r] : indexed.has(r.uid) ? [indexed.get(r.uid)!] : []));
}
