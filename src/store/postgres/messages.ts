/** Messages of the PostgreSQL store: append, fetch, flags, copy/move, expunge, search, delivery. */
import type { MimeIndex } from '../../mime/types.js';
import { prefixedBody, prepareBody, type PreparedBody } from '../sqlite/rows.js';
import { StoreError, type AppendResult, type Change, type Flag, type MutationOptions, type Store } from '../types.js';
import { applyFlagOp, checkImportUids, checkUidValidity, hasFlag, newGuid, sameFlags } from '../util.js';
import type { ImportInput, IntegrityOps } from '../integrity-types.js';
import { usedBytes, type AccountRow, type Db, type PgCtx } from './context.js';
import { compileSearch } from './search-sql.js';
import { fuzzyToExact } from '../search.js';
import { insertBlob, insertMessages, META_COLS, removeMessages, selectRows, toMeta, uniqueHashes, type MessageRow } from './rows.js';
import type { MessageOps } from '../ops.js';

export async function checkQuota(db: Db, a: AccountRow, adding: number): Promise<void> {
  if (a.quota_bytes <= 0) return;
  if ((await usedBytes(db, a.id)) + adding > a.quota_bytes) throw new StoreError('OVERQUOTA', `account ${a.address} is over its quota of ${a.quota_bytes} bytes`);
}

/** parsed MIME indexes by account and body hash (bodies never change) */
const INDEX_CACHE_SIZE = 2000;

export function messageOps(ctx: PgCtx, mimeDepth?: number): MessageOps & Pick<IntegrityOps, 'importMessages'> {
  const indexCache = new Map<string, MimeIndex>();
  const collect = (db: Db, accountId: number) => (hashes: Buffer[]) => ctx.collectBlobs(db, accountId, hashes);

  /** each row beside its body's MIME index (cached by hash); rows whose body is gone meanwhile are left out */
  async function withIndex(accountId: number, rows: MessageRow[]): Promise<Array<[MessageRow, MimeIndex]>> {
    const key = (h: Buffer) => `${accountId}:${h.toString('hex')}`;
    const missing = uniqueHashes(rows.map((r) => r.blob_hash).filter((h) => !indexCache.has(key(h))));
    if (missing.length) {
      const found = await ctx.q<{ hash: Buffer; mime: string }>('SELECT hash, mime FROM blobs WHERE account_id = $1 AND hash = ANY($2::bytea[])', [
        accountId,
        missing,
      ]);
      for (const f of found) {
        if (indexCache.size >= INDEX_CACHE_SIZE) indexCache.delete(indexCache.keys().next().value!);
        indexCache.set(key(f.hash), JSON.parse(f.mime) as MimeIndex);
      }
    }
    const out: Array<[MessageRow, MimeIndex]> = [];
    for (const r of rows) {
      const index = indexCache.get(key(r.blob_hash));
      if (index) out.push([r, index]);
    }
    return out;
  }

  function copyOrMove(accountId: number, fromId: number, uids: Parameters<Store['copy']>[2], toId: number, move: boolean, origin: string | undefined) {
    return ctx.tx(async (db) => {
      const a = await ctx.lockAccount(db, accountId);
      const src = await ctx.mailbox(db, accountId, fromId, true);
      const dst = fromId === toId ? src : await ctx.mailbox(db, accountId, toId, true);
      const rows = await selectRows(db, accountId, src.id, uids);
      if (!move) await checkQuota(db, a, rows.reduce((s, r) => s + r.size, 0));
      const changes = await insertMessages(
        db,
        dst,
        rows.map((r) => ({ blobHash: r.blob_hash, size: r.size, flags: r.flags, internalDate: r.internal_date, guid: move ? r.guid : newGuid() })),
        origin,
      );
      const mapping = rows.map((r, i) => [r.uid, (changes[i] as { uid: number }).uid] as [number, number]);
      if (move) {
        const gone = await removeMessages(db, src, rows, origin, collect(db, accountId));
        if (gone) changes.push(gone);
      }
      return { value: { uidValidity: dst.uid_validity, mapping, changes }, changes };
    });
  }

  const appendMany = async (accountId: number, mailboxId: number, inputs: ImportInput[], opts?: MutationOptions & { uidValidity?: number }) => {
    ctx.open();
    const bodies: PreparedBody[] = inputs.map((i) => prepareBody(Buffer.from(i.raw), i.index, mimeDepth));
    return ctx.tx(async (db) => {
      const a = await ctx.lockAccount(db, accountId);
      const mb = await ctx.mailbox(db, accountId, mailboxId, true);
      checkImportUids(mb.uid_next, inputs);
      if (opts?.uidValidity !== undefined && opts.uidValidity !== mb.uid_validity) {
        checkUidValidity(opts.uidValidity);
        if (mb.uid_next !== 1) throw new StoreError('INVALID', `mailbox ${mb.name} already held messages; its UIDVALIDITY cannot change`);
        await db.q('UPDATE mailboxes SET uid_validity = $3 WHERE account_id = $1 AND id = $2', [accountId, mailboxId, opts.uidValidity]);
        mb.uid_validity = opts.uidValidity;
      }
      await checkQuota(db, a, bodies.reduce((s, b) => s + b.raw.length, 0));
      const hashes: Buffer[] = [];
      for (const b of bodies) hashes.push(await insertBlob(db, accountId, b));
      const changes = await insertMessages(
        db,
        mb,
        inputs.map((input, i) => ({
          blobHash: hashes[i]!,
          size: bodies[i]!.raw.length,
          flags: input.flags ?? [],
          internalDate: (input.internalDate ?? new Date()).getTime(),
          guid: newGuid(),
          uid: input.uid,
        })),
        opts?.origin,
      );
      const results: AppendResult[] = changes.map((c) => ({ uidValidity: mb.uid_validity, uid: (c as { uid: number }).uid, changes: [c] }));
      return { value: results, changes };
    });
  };

  return {
    importMessages: appendMany,
    async append(accountId, mailboxId, input, opts) {
      const [r] = await appendMany(accountId, mailboxId, [input], opts);
      return r!;
    },
    appendMany,
    async snapshot(accountId, mailboxId) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      const [r] = await ctx.q<{ u: number[] | null; s: number[] | null; k: string[] | null }>(
        `SELECT (SELECT array_agg(uid ORDER BY uid) FROM messages WHERE account_id = $1 AND mailbox_id = $2) AS u,
                (SELECT array_agg(modseq ORDER BY uid) FROM messages WHERE account_id = $1 AND mailbox_id = $2) AS s,
                (SELECT array_agg(DISTINCT f) FROM messages, unnest(flags) AS f
                  WHERE account_id = $1 AND mailbox_id = $2 AND left(f, 1) <> chr(92)) AS k`,
        [accountId, mailboxId],
      );
      // keywords: one spelling per keyword, case-insensitively
      const keywords = new Map<string, string>();
      for (const k of r!.k ?? []) if (!keywords.has(k.toLowerCase())) keywords.set(k.toLowerCase(), k);
      return { uids: Uint32Array.from(r!.u ?? []), modseqs: Float64Array.from(r!.s ?? []), keywords: [...keywords.values()] };
    },
    async getMessages(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      return (await selectRows(ctx, accountId, mailboxId, uids)).map(toMeta);
    },
    async getFlags(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      return selectRows<{ uid: number; modseq: number; flags: Flag[] }>(ctx, accountId, mailboxId, uids, 'uid, modseq, flags');
    },
    async getMessagesWithIndex(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      return (await withIndex(accountId, await selectRows(ctx, accountId, mailboxId, uids))).map(([r, index]) => ({ ...toMeta(r), index }));
    },
    async getHeaders(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      const rows = await withIndex(accountId, await selectRows(ctx, accountId, mailboxId, uids));
      if (!rows.length) return [];
      // the header block only: substring() of a stored body reads its first chunks, not all of it
      const len = new Map<string, [Buffer, number]>();
      for (const [r, index] of rows) len.set(r.blob_hash.toString('hex'), [r.blob_hash, index.root.bodyStart]);
      const found = await ctx.q<{ hash: Buffer; header: Buffer }>(
        `SELECT b.hash, substring(b.raw from 1 for h.len) AS header
         FROM unnest($2::bytea[], $3::int[]) AS h(hash, len) JOIN blobs b ON b.account_id = $1 AND b.hash = h.hash`,
        [accountId, [...len.values()].map((x) => x[0]), [...len.values()].map((x) => x[1])],
      );
      const headers = new Map(found.map((f) => [f.hash.toString('hex'), f.header]));
      const out = [];
      for (const [r, index] of rows) {
        const header = headers.get(r.blob_hash.toString('hex'));
        if (header) out.push({ ...toMeta(r), index, header });
      }
      return out;
    },
    async getRaw(accountId, mailboxId, uid) {
      const [r] = await ctx.q<{ raw: Buffer }>(
        `SELECT b.raw FROM messages m JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash
         WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = $3`,
        [accountId, mailboxId, uid],
      );
      if (!r) {
        await ctx.mailbox(ctx, accountId, mailboxId);
        throw new StoreError('EXPUNGED', `message UID ${uid} no longer exists`);
      }
      return r.raw;
    },
    async getRawMany(accountId, mailboxId, uids) {
      if (uids.length === 0) {
        await ctx.mailbox(ctx, accountId, mailboxId);
        return [];
      }
      const rows = await ctx.q<{ uid: number; raw: Buffer }>(
        `SELECT m.uid, b.raw FROM messages m JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash
         WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = ANY($3::bigint[])`,
        [accountId, mailboxId, [...new Set(uids)]],
      );
      // nothing found: tell a foreign or missing mailbox (NONEXISTENT) from expunged messages
      if (rows.length === 0) await ctx.mailbox(ctx, accountId, mailboxId);
      const found = new Map(rows.map((r) => [r.uid, r.raw]));
      return uids.map((u) => found.get(u) ?? null);
    },
    async storeFlags(accountId, mailboxId, uids, op, flags, opts) {
      return ctx.tx(
        async (db) => {
          const mb = await ctx.mailbox(db, accountId, mailboxId, true);
          const updated: Array<{ uid: number; flags: Flag[]; modseq: number }> = [];
          const failed: number[] = [];
          const changes: Change[] = [];
          const rows = await selectRows<Pick<MessageRow, 'uid' | 'modseq' | 'flags'>>(db, accountId, mailboxId, uids, 'uid, modseq, flags');
          let modseq = mb.highest_modseq;
          for (const r of rows) {
            if (opts?.unchangedSince !== undefined && r.modseq > opts.unchangedSince) {
              failed.push(r.uid);
              continue;
            }
            const next = applyFlagOp(r.flags, op, flags);
            if (sameFlags(next, r.flags)) continue;
            modseq++;
            updated.push({ uid: r.uid, flags: next, modseq });
            changes.push({ kind: 'flags', accountId, mailboxId, modseq, uid: r.uid, flags: [...next], origin: opts?.origin });
          }
          if (updated.length) {
            await db.q(
              `UPDATE messages m SET flags = ARRAY(SELECT jsonb_array_elements_text(x.f::jsonb)), seen = x.s, deleted = x.d, modseq = x.q
               FROM unnest($3::bigint[], $4::text[], $5::boolean[], $6::boolean[], $7::bigint[]) AS x(u, f, s, d, q)
               WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = x.u`,
              [
                accountId,
                mailboxId,
                updated.map((u) => u.uid),
                updated.map((u) => JSON.stringify(u.flags)),
                updated.map((u) => hasFlag(u.flags, '\\Seen')),
                updated.map((u) => hasFlag(u.flags, '\\Deleted')),
                updated.map((u) => u.modseq),
              ],
            );
            await db.q('UPDATE mailboxes SET highest_modseq = $3 WHERE account_id = $1 AND id = $2', [accountId, mailboxId, modseq]);
          }
          return { value: { updated, failed, changes }, changes };
        },
        { durable: false },
      );
    },
    copy(accountId, fromId, uids, toId, opts) {
      return copyOrMove(accountId, fromId, uids, toId, false, opts?.origin);
    },
    move(accountId, fromId, uids, toId, opts) {
      return copyOrMove(accountId, fromId, uids, toId, true, opts?.origin);
    },
    async expunge(accountId, mailboxId, uids, opts) {
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        const mb = await ctx.mailbox(db, accountId, mailboxId, true);
        const rows = uids
          ? (await selectRows(db, accountId, mailboxId, uids)).filter((r) => r.deleted)
          : await db.q<MessageRow>(`SELECT ${META_COLS} FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND deleted ORDER BY uid`, [
              accountId,
              mailboxId,
            ]);
        const c = await removeMessages(db, mb, rows, opts?.origin, collect(db, accountId));
        const changes = c ? [c] : [];
        return { value: { uids: c && c.kind === 'expunge' ? c.uids : [], changes }, changes };
      });
    },
    async expungedSince(accountId, mailboxId, modseq) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      const rows = await ctx.q<{ uid: number }>(
        'SELECT uid FROM expunged WHERE account_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY uid',
        [accountId, mailboxId, modseq],
      );
      return rows.map((r) => r.uid);
    },
    async search(accountId, mailboxId, query) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      // FUZZY (RFC 6203): every word of the string, in any order (search.ts)
      const c = compileSearch(fuzzyToExact(query), 3);
      const from = c.needsBlob ? 'messages m JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash' : 'messages m';
      const rows = await ctx.q<{ uid: number }>(`SELECT m.uid FROM ${from} WHERE m.account_id = $1 AND m.mailbox_id = $2 AND ${c.where} ORDER BY m.uid`, [
        accountId,
        mailboxId,
        ...c.params,
      ]);
      return rows.map((r) => r.uid);
    },
    async deliver(targets, raw, opts) {
      ctx.open();
      // indexed once; each target's copy is its prefix + the message, the index shifted by offset
      const base = prepareBody(Buffer.from(raw), undefined, mimeDepth);
      const internalDate = (opts?.internalDate ?? new Date()).getTime();
      let index: MimeIndex | null = null;
      const copies = new Map<string, PreparedBody>();
      const copyFor = (prefix: Buffer | undefined): PreparedBody => {
        if (!prefix?.length) return base;
        const key = prefix.toString('latin1');
        let c = copies.get(key);
        if (!c) copies.set(key, (c = prefixedBody(base, (index ??= JSON.parse(base.mimeJson) as MimeIndex), prefix, mimeDepth)));
        return c;
      };
      return ctx.tx(async (db) => {
        // accounts locked in ascending order: two deliveries to the same accounts never deadlock
        for (const id of [...new Set(targets.map((t) => t.accountId))].sort((x, y) => x - y))
          await db.q('SELECT pg_advisory_xact_lock(1, $1::int)', [id]);
        const changes: Change[] = [];
        const out: Awaited<ReturnType<Store['deliver']>> = [];
        for (const t of targets) {
          await db.q('SAVEPOINT target');
          try {
            const a = await ctx.account(db, t.accountId);
            const mb = t.mailboxId !== undefined ? await ctx.mailbox(db, t.accountId, t.mailboxId, true) : await ctx.mailboxByName(db, t.accountId, 'INBOX');
            if (!mb) throw new StoreError('NONEXISTENT', `account ${a.address} has no INBOX`);
            const body = copyFor(t.prefix);
            await checkQuota(db, a, body.raw.length);
            const hash = await insertBlob(db, t.accountId, body);
            const [c] = await insertMessages(db, mb, [{ blobHash: hash, size: body.raw.length, flags: t.flags ?? [], internalDate, guid: newGuid() }], undefined);
            changes.push(c!);
            out.push({ accountId: t.accountId, mailboxId: mb.id, uid: (c as { uid: number }).uid });
            await db.q('RELEASE SAVEPOINT target');
          } catch (err) {
            await db.q('ROLLBACK TO SAVEPOINT target');
            if (!(err instanceof StoreError)) throw err;
            out.push({ accountId: t.accountId, error: err });
          }
        }
        return { value: out, changes };
      });
    },

  };
}
