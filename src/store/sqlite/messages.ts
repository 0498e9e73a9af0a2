/** Messages of the SQLite store: append, fetch, flags, copy/move, expunge, search, delivery. */
import type { MimeIndex } from '../../mime/types.js';
import { StoreError, type AppendResult, type Change, type Flag, type MutationOptions, type Store } from '../types.js';
import type { ImportInput } from '../integrity-types.js';
import { applyFlagOp, checkImportUids, checkUidValidity, hasFlag, newGuid, sameFlags } from '../util.js';
import type { AccountRow, Ctx } from './context.js';
import { compileSearch } from './search-sql.js';
import type { ParsePool } from './parse-pool.js';
import { insertBlob, insertMessage, prefixedBody, META_COLS, parseFlags, removeMessages, selectFlags, selectRows, tupleToMeta, type MessageRow, type MetaTuple } from './rows.js';
import type { MessageOps } from '../ops.js';
import type { MessageWithHeader, MessageWithSummary } from '../summary-types.js';


export function checkQuota(a: AccountRow, adding: number): void {
  if (a.quota_bytes > 0 && a.used_bytes + adding > a.quota_bytes)
    throw new StoreError('OVERQUOTA', `account ${a.address} is over its quota of ${a.quota_bytes} bytes`);
}

/**
 * APPEND, MULTIAPPEND and import: parse outside the write lock, then one transaction. Inputs
 * with a `uid` keep it (import); `uidValidity` is adopted by a mailbox that never held a message.
 */
export async function appendInputs(
  ctx: Ctx,
  pool: ParsePool,
  accountId: number,
  mailboxId: number,
  inputs: ImportInput[],
  opts?: MutationOptions & { uidValidity?: number },
): Promise<AppendResult[]> {
  ctx.open();
  const bodies = await Promise.all(inputs.map((i) => pool.prepare(Buffer.from(i.raw), i.index)));
  return ctx.mutate(() => {
    const a = ctx.account(accountId);
    const mb = ctx.mailbox(accountId, mailboxId);
    checkImportUids(mb.uid_next, inputs);
    if (opts?.uidValidity !== undefined && opts.uidValidity !== mb.uid_validity) {
      checkUidValidity(opts.uidValidity);
      if (mb.uid_next !== 1) throw new StoreError('INVALID', `mailbox ${mb.name} already held messages; its UIDVALIDITY cannot change`);
      ctx.q('UPDATE mailboxes SET uid_validity = ? WHERE id = ?').run(opts.uidValidity, mb.id);
      mb.uid_validity = opts.uidValidity;
    }
    checkQuota(a, bodies.reduce((s, b) => s + b.raw.length, 0));
    const results: AppendResult[] = [];
    const changes: Change[] = [];
    inputs.forEach((input, i) => {
      const b = bodies[i]!;
      const c = insertMessage(
        ctx,
        mb,
        {
          blobId: insertBlob(ctx, b),
          size: b.raw.length,
          flags: input.flags ?? [],
          internalDate: (input.internalDate ?? new Date()).getTime(),
          guid: newGuid(),
          uid: input.uid,
        },
        opts?.origin,
      );
      changes.push(c);
      results.push({ uidValidity: mb.uid_validity, uid: (c as { uid: number }).uid, changes: [c] });
    });
    return { value: results, changes };
  });
}

/**
 * parsed MIME indexes by blob id (blobs never change; ids are never reused: AUTOINCREMENT),
 * about 2 KB each. A FETCH 1:* over a mailbox larger than the cache would evict every entry
 * before its next use, so once full only every 8th new index replaces the oldest: repeated
 * scans keep hitting what is cached instead of none of it.
 */
const INDEX_CACHE_SIZE = 10_000;
const INDEX_CACHE_REPLACE_EVERY = 8;
/** header blocks kept by getHeaders, in bytes (a 10,000-message mailbox's take about 15 MB) */
const HEADER_CACHE_BYTES = 16 * 1024 * 1024;
/** mailbox ids whose account is known (messageOps' `owners`), 16 bytes or so each */
const MAX_OWNERS = 100_000;

const EMPTY = Buffer.alloc(0);
/** UIDs per statement in getRawMany */
const RAW_BATCH = 100;
/** deliveries of messages this large are committed in several transactions… */
const SPLIT_COMMIT_BYTES = 1024 * 1024;
/**
 * …each holding copies up to this many bytes (at least one copy). Every recipient of one
 * delivery that fits gets it in the same commit: a crash can not leave the message with
 * some recipients but unacknowledged, to be duplicated for them by the sender's retry
 * (the crash campaign found this with per-copy commits). Beyond it a commit still holds
 * the event loop for no longer than one large message does.
 */
const COMMIT_BUDGET_BYTES = 16 * 1024 * 1024;

export function messageOps(ctx: Ctx, pool: ParsePool, mimeDepth?: number): MessageOps {
  const { q } = ctx;
  const indexCache = new Map<number, MimeIndex>();
  let indexMisses = 0;

  /**
   * Mailboxes seen to be their account's. Ids are never reused and a mailbox never changes
   * account, so a read of its messages checks the mailbox row once, not on every FETCH or
   * SEARCH; a mailbox deleted since has no messages left, and a read that finds none asks
   * ctx.mailbox again (NONEXISTENT, as before).
   */
  const owners = new Map<number, number>();
  function checked<T>(accountId: number, mailboxId: number, read: () => T[]): T[] {
    ctx.open();
    if (owners.get(mailboxId) === accountId) {
      const rows = read();
      if (!rows.length) ctx.mailbox(accountId, mailboxId);
      return rows;
    }
    ctx.mailbox(accountId, mailboxId);
    if (owners.size >= MAX_OWNERS) owners.clear();
    owners.set(mailboxId, accountId);
    return read();
  }

  /**
   * header blocks by blob id, as getHeaders read them (blobs never change; ids are never
   * reused), at most HEADER_CACHE_BYTES: a client's message list asks for the same messages'
   * header fields again and again (webmail on every page, mobile clients on every sync).
   * Admitted as the index cache admits (every 8th miss replaces the oldest once full).
   */
  const headerCache = new Map<number, Buffer>();
  let headerBytes = 0;
  let headerMisses = 0;
  function keepHeader(blobId: number, header: Buffer): void {
    if (headerCache.has(blobId) || header.length > HEADER_CACHE_BYTES) return;
    if (headerBytes + header.length > HEADER_CACHE_BYTES) {
      if (++headerMisses % INDEX_CACHE_REPLACE_EVERY !== 0) return;
      for (const [id, h] of headerCache) {
        if (headerBytes + header.length <= HEADER_CACHE_BYTES) break;
        headerCache.delete(id);
        headerBytes -= h.length;
      }
    }
    headerCache.set(blobId, header);
    headerBytes += header.length;
  }

  /** the MIME index of a blob, from the cache (INDEX_CACHE_SIZE) or its row */
  function indexOf(blobId: number): MimeIndex {
    let index = indexCache.get(blobId);
    if (!index) {
      index = JSON.parse(q('SELECT mime FROM blobs WHERE id = ?').pluck(true).get(blobId) as string) as MimeIndex;
      if (indexCache.size < INDEX_CACHE_SIZE) indexCache.set(blobId, index);
      else if (++indexMisses % INDEX_CACHE_REPLACE_EVERY === 0) {
        indexCache.delete(indexCache.keys().next().value!);
        indexCache.set(blobId, index);
      }
    }
    return index;
  }

  async function copyOrMove(
    accountId: number,
    fromId: number,
    uids: Parameters<Store['copy']>[2],
    toId: number,
    move: boolean,
    origin: string | undefined,
  ) {
    return ctx.mutate(() => {
      const a = ctx.account(accountId);
      const src = ctx.mailbox(accountId, fromId);
      const dst = ctx.mailbox(accountId, toId);
      const rows = selectRows(ctx, src.id, uids);
      if (!move) checkQuota(a, rows.reduce((s, r) => s + r.size, 0));
      const mapping: Array<[number, number]> = [];
      const changes: Change[] = [];
      // same mailbox (MOVE/COPY onto itself): keep one row object so the counters stay in step
      const target = dst.id === src.id ? src : dst;
      for (const r of rows) {
        const c = insertMessage(
          ctx,
          target,
          { blobId: r.blob_id, size: r.size, flags: JSON.parse(r.flags) as Flag[], internalDate: r.internal_date, guid: move ? r.guid : newGuid() },
          origin,
        );
        mapping.push([r.uid, (c as { uid: number }).uid]);
        changes.push(c);
      }
      if (move) {
        const gone = removeMessages(ctx, src, rows, origin);
        if (gone) changes.push(gone);
      }
      return { value: { uidValidity: dst.uid_validity, mapping, changes }, changes };
    });
  }

  const appendMany: Store['appendMany'] = (accountId, mailboxId, inputs, opts) => appendInputs(ctx, pool, accountId, mailboxId, inputs, opts);

  return {
    async append(accountId, mailboxId, input, opts) {
      const [r] = await appendMany(accountId, mailboxId, [input], opts);
      return r!;
    },
    appendMany,
    async snapshot(accountId, mailboxId) {
      const mb = ctx.mailbox(accountId, mailboxId);
      // from the flag cache (flag-cache.ts): one query when the mailbox is not in memory
      const rows = ctx.flagCache.all(mb, () => selectFlags(ctx, mailboxId, [[1, Infinity]]));
      const uids = new Uint32Array(rows.length);
      const modseqs = new Float64Array(rows.length);
      // keywords in use (SELECT's FLAGS response)
      const keywords = new Set<string>();
      let last: readonly Flag[] | null = null;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        uids[i] = r.uid;
        modseqs[i] = r.modseq;
        const f = r.flags;
        if (f.length && f !== last) {
          for (const x of f) if (x.charCodeAt(0) !== 92 /* \\ */) keywords.add(x);
          last = f;
        }
      }
      return { uids, modseqs, keywords: [...keywords] };
    },
    async getMessages(accountId, mailboxId, uids) {
      return checked(accountId, mailboxId, () => selectRows<MetaTuple>(ctx, mailboxId, uids, META_COLS, true)).map(tupleToMeta);
    },
    async getFlags(accountId, mailboxId, uids) {
      const mb = ctx.mailbox(accountId, mailboxId);
      return ctx.flagCache.get(mb, uids, () => selectFlags(ctx, mailboxId, [[1, Infinity]]));
    },
    async getMessagesWithIndex(accountId, mailboxId, uids) {
      return checked(accountId, mailboxId, () => selectRows<MetaTuple>(ctx, mailboxId, uids, META_COLS, true)).map((t) => {
        const m = tupleToMeta(t) as ReturnType<typeof tupleToMeta> & { index: MimeIndex };
        m.index = indexOf(t[6]);
        return m;
      });
    },
    async getHeaders(accountId, mailboxId, uids) {
      // the messages' rows, then the header blocks not in memory (headerOf) from their own
      // small rows (blob_headers) in one statement: neither the bodies nor the blob rows are read
      const rows = checked(accountId, mailboxId, () => selectRows<MetaTuple>(ctx, mailboxId, uids, META_COLS, true));
      let read: Map<number, Buffer> | null = null;
      const unknown: number[] = [];
      for (const t of rows) if (!headerCache.has(t[6])) unknown.push(t[6]);
      if (unknown.length) {
        read = new Map();
        const stmt = q('SELECT blob_id, header FROM blob_headers WHERE blob_id IN (SELECT value FROM json_each(?))').raw(true);
        for (const [id, header] of stmt.all(JSON.stringify(unknown)) as Array<[number, Buffer]>) read.set(id, header);
      }
      const out: MessageWithHeader[] = [];
      /** taken from the body now: stored before header blocks were kept apart */
      let made: Map<number, Buffer> | null = null;
      for (const t of rows) {
        const blobId = t[6];
        const index = indexOf(blobId);
        let header = headerCache.get(blobId) ?? read?.get(blobId) ?? made?.get(blobId);
        if (!header) {
          const raw = q('SELECT raw FROM blobs WHERE id = ?').pluck(true).get(blobId) as Buffer | undefined;
          if (!raw) continue; // expunged by another process since its row was read: gone, as if before
          header = Buffer.from(raw.subarray(0, index.root.bodyStart));
          (made ??= new Map()).set(blobId, header);
        }
        keepHeader(blobId, header);
        const m = tupleToMeta(t) as MessageWithHeader;
        m.index = index;
        m.header = header;
        out.push(m);
      }
      if (made)
        await ctx.mutate(
          () => {
            // the blob may be gone meanwhile (expunged): then nothing is written
            const put = q('INSERT OR IGNORE INTO blob_headers (blob_id, header) SELECT id, ? FROM blobs WHERE id = ?');
            for (const [id, header] of made!) put.run(header, id);
            return { value: undefined, changes: [] };
          },
          { durable: false },
        );
      return out;
    },
    async getSummaries(accountId, mailboxId, uids, opts) {
      const summarizer = ctx.summarizer;
      const known = opts?.known;
      const out: MessageWithSummary[] = [];
      /** positions in `out` whose summary text is read */
      const wanted: number[] = [];
      for (const t of checked(accountId, mailboxId, () => selectRows<MetaTuple>(ctx, mailboxId, uids, META_COLS, true))) {
        const m = tupleToMeta(t) as MessageWithSummary;
        // the blob id: blobs never change and their ids are never reused (AUTOINCREMENT)
        m.summaryKey = t[6];
        m.summary = null;
        if (summarizer && !known?.(t[6])) wanted.push(out.length);
        out.push(m);
      }
      if (!wanted.length) return out;
      // small rows of their own (blob_summaries): no blob row, no MIME index is read
      const texts = new Map(
        q('SELECT blob_id, summary FROM blob_summaries WHERE version = ? AND blob_id IN (SELECT value FROM json_each(?))')
          .raw(true)
          .all(summarizer!.version, JSON.stringify(wanted.map((i) => out[i]!.summaryKey))) as Array<[number, string]>,
      );
      /** made now: stored before this summarizer (or its version) existed */
      let made: Map<number, string | null> | null = null;
      for (const i of wanted) {
        const m = out[i]!;
        const blobId = m.summaryKey!;
        let summary = texts.get(blobId);
        if (summary === undefined) {
          made ??= new Map();
          if (!made.has(blobId)) made.set(blobId, summarizer!.summarize(JSON.parse(q('SELECT mime FROM blobs WHERE id = ?').pluck(true).get(blobId) as string) as MimeIndex));
          summary = made.get(blobId)!;
        }
        m.summary = summary ?? null;
      }
      const keep = made ? [...made].filter((e): e is [number, string] => e[1] !== null) : [];
      if (keep.length)
        await ctx.mutate(
          () => {
            // the blob may be gone meanwhile (expunged): then nothing is written
            const put = q('INSERT OR REPLACE INTO blob_summaries (blob_id, version, summary) SELECT id, ?, ? FROM blobs WHERE id = ?');
            for (const [id, text] of keep) put.run(summarizer!.version, text, id);
            return { value: undefined, changes: [] };
          },
          { durable: false },
        );
      return out;
    },
    async getRaw(accountId, mailboxId, uid) {
      ctx.open();
      // one query per message (FETCH of bodies calls this for each): the account check is
      // part of it; when nothing comes back, ctx.mailbox tells NONEXISTENT from EXPUNGED
      const raw = q(
        `SELECT b.raw FROM messages m JOIN blobs b ON b.id = m.blob_id
         WHERE m.mailbox_id = ? AND m.uid = ? AND m.account_id = ?`,
      )
        .pluck(true)
        .get(mailboxId, uid, accountId) as Buffer | undefined;
      if (!raw) {
        ctx.mailbox(accountId, mailboxId);
        throw new StoreError('EXPUNGED', `message UID ${uid} no longer exists`);
      }
      return raw;
    },
    async getRawMany(accountId, mailboxId, uids) {
      ctx.open();
      const found = new Map<number, Buffer>();
      // one statement per RAW_BATCH UIDs: one read transaction (its WAL-index locks) and one
      // step loop instead of one per message; a statement per list length, kept in the cache
      for (let i = 0; i < uids.length; i += RAW_BATCH) {
        const part = uids.slice(i, i + RAW_BATCH);
        const rows = q(
          `SELECT m.uid, b.raw FROM messages m JOIN blobs b ON b.id = m.blob_id
           WHERE m.mailbox_id = ? AND m.account_id = ? AND m.uid IN (${part.map(() => '?').join(',')})`,
        )
          .raw(true)
          .all(mailboxId, accountId, ...part) as Array<[number, Buffer]>;
        for (const [uid, raw] of rows) found.set(uid, raw);
      }
      // nothing found: tell a foreign or missing mailbox (NONEXISTENT) from expunged messages
      if (found.size === 0) ctx.mailbox(accountId, mailboxId);
      return uids.map((u) => found.get(u) ?? null);
    },
    async storeFlags(accountId, mailboxId, uids, op, flags, opts) {
      return ctx.mutate(() => {
        const mb = ctx.mailbox(accountId, mailboxId);
        const updated: Array<{ uid: number; flags: Flag[]; modseq: number }> = [];
        const failed: number[] = [];
        const changes: Change[] = [];
        const upd = q('UPDATE messages SET flags = ?, seen = ?, deleted = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?');
        // seen/deleted unchanged (\Flagged, keywords…): leave them out of the SET, so the
        // counter trigger and the partial indexes on them are not touched
        const updFlags = q('UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?');
        type Row = Pick<MessageRow, 'uid' | 'modseq' | 'flags' | 'seen' | 'deleted'>;
        for (const r of selectRows<Row>(ctx, mailboxId, uids, 'uid, modseq, flags, seen, deleted')) {
          if (opts?.unchangedSince !== undefined && r.modseq > opts.unchangedSince) {
            failed.push(r.uid);
            continue;
          }
          const cur = parseFlags(r.flags);
          const next = applyFlagOp(cur, op, flags);
          if (sameFlags(next, cur)) continue;
          const modseq = ++mb.highest_modseq;
          const seen = hasFlag(next, '\\Seen') ? 1 : 0;
          const deleted = hasFlag(next, '\\Deleted') ? 1 : 0;
          if (seen === r.seen && deleted === r.deleted) updFlags.run(JSON.stringify(next), modseq, mailboxId, r.uid);
          else upd.run(JSON.stringify(next), seen, deleted, modseq, mailboxId, r.uid);
          updated.push({ uid: r.uid, flags: next, modseq });
          changes.push({ kind: 'flags', accountId, mailboxId, modseq, uid: r.uid, flags: [...next], origin: opts?.origin });
        }
        if (updated.length > 0) q('UPDATE mailboxes SET highest_modseq = ? WHERE id = ?').run(mb.highest_modseq, mailboxId);
        return { value: { updated, failed, changes }, changes };
        // flags only: survives kill -9 without an fsync per STORE (committer.ts explains)
      }, { durable: false });
    },
    copy(accountId, fromId, uids, toId, opts) {
      return copyOrMove(accountId, fromId, uids, toId, false, opts?.origin);
    },
    move(accountId, fromId, uids, toId, opts) {
      return copyOrMove(accountId, fromId, uids, toId, true, opts?.origin);
    },
    async expunge(accountId, mailboxId, uids, opts) {
      return ctx.mutate(() => {
        const mb = ctx.mailbox(accountId, mailboxId);
        const rows = uids
          ? selectRows(ctx, mailboxId, uids).filter((r) => r.deleted === 1)
          : (q('SELECT * FROM messages WHERE mailbox_id = ? AND deleted = 1 ORDER BY uid').all(mailboxId) as MessageRow[]);
        const c = removeMessages(ctx, mb, rows, opts?.origin);
        const changes = c ? [c] : [];
        return { value: { uids: c && c.kind === 'expunge' ? c.uids : [], changes }, changes };
      });
    },
    async expungedSince(accountId, mailboxId, modseq) {
      ctx.mailbox(accountId, mailboxId);
      return q('SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid').pluck(true).all(mailboxId, modseq) as number[];
    },
    async search(accountId, mailboxId, query) {
      const c = compileSearch(query, ctx.uidSets, ctx.fulltext);
      const from = c.needsBlob ? 'messages m JOIN blobs b ON b.id = m.blob_id' : 'messages m';
      try {
        return checked(accountId, mailboxId, () =>
          q(`SELECT m.uid FROM ${from} WHERE m.mailbox_id = ? AND ${c.where} ORDER BY m.uid`)
            .pluck(true)
            .all(mailboxId, ...c.params) as number[],
        );
      } finally {
        for (const k of c.sets) ctx.uidSets.delete(k);
      }
    },
    async deliver(targets, raw, opts) {
      ctx.open();
      // indexed once (large messages in a parse worker); each target's copy gets its prefix by offset
      // the base's summary is stored only for a copy without a prefix (the others get their own)
      const base = await pool.prepare(raw, opts?.index, { summary: targets.some((t) => !t.prefix?.length) });
      const internalDate = (opts?.internalDate ?? new Date()).getTime();
      let index: MimeIndex | null = null;
      type Target = (typeof targets)[number];
      type Result = Awaited<ReturnType<Store['deliver']>>[number];
      const deliverBatch = (batch: Array<{ t: Target; i: number }>) =>
        ctx.mutate(() => {
          /** copies with the same prefix share one blob */
          const blobs = new Map<string, number>();
          const changes: Change[] = [];
          const out: Array<{ i: number; r: Result }> = [];
          for (const { t, i } of batch) {
            try {
              const a = ctx.account(t.accountId);
              const mb = t.mailboxId !== undefined ? ctx.mailbox(t.accountId, t.mailboxId) : ctx.mailboxByName(t.accountId, 'INBOX');
              if (!mb) throw new StoreError('NONEXISTENT', `account ${a.address} has no INBOX`);
              const prefix = t.prefix ?? EMPTY;
              const size = prefix.length + base.raw.length;
              checkQuota(a, size);
              const key = prefix.toString('latin1');
              let blobId = blobs.get(key);
              if (blobId === undefined) {
                if (prefix.length) index ??= base.index ?? (JSON.parse(base.mimeJson) as MimeIndex);
                // one copy at a time: it is garbage once SQLite has it
                blobId = insertBlob(ctx, prefix.length ? prefixedBody(base, index!, prefix, mimeDepth, ctx.summarizer) : base);
                blobs.set(key, blobId);
              }
              const c = insertMessage(ctx, mb, { blobId, size, flags: t.flags ?? [], internalDate, guid: newGuid() }, undefined);
              changes.push(c);
              out.push({ i, r: { accountId: t.accountId, mailboxId: mb.id, uid: (c as { uid: number }).uid } });
            } catch (err) {
              if (!(err instanceof StoreError)) throw err;
              out.push({ i, r: { accountId: t.accountId, error: err } });
            }
          }
          return { value: out, changes };
        });
      const all = targets.map((t, i) => ({ t, i }));
      const results: Result[] = new Array(targets.length);
      if (base.raw.length < SPLIT_COMMIT_BYTES) {
        for (const { i, r } of await deliverBatch(all)) results[i] = r;
        return results;
      }
      // a large message: distinct copies are committed COMMIT_BUDGET_BYTES at a time, so the
      // event loop is never held for every recipient's write of a huge message at once
      const groups = new Map<string, Array<{ t: Target; i: number }>>();
      for (const x of all) {
        const key = (x.t.prefix ?? EMPTY).toString('latin1');
        groups.set(key, [...(groups.get(key) ?? []), x]);
      }
      let batch: Array<{ t: Target; i: number }> = [];
      let bytes = 0;
      const flush = async () => {
        for (const { i, r } of await deliverBatch(batch)) results[i] = r;
        batch = [];
        bytes = 0;
      };
      for (const [prefix, group] of groups) {
        const copy = prefix.length + base.raw.length;
        if (batch.length > 0 && bytes + copy > COMMIT_BUDGET_BYTES) await flush();
        batch.push(...group);
        bytes += copy;
      }
      if (batch.length > 0) await flush();
      return results;
    },
  };
}
