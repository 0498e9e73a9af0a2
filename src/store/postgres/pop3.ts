/**
 * POP3 maildrop of the PostgreSQL store (issue #4): the INBOX minus messages hidden from
 * POP3, DELE policies applied at QUIT, and the retained area for recoverable deletes.
 */
import { StoreError, type Change, type Flag } from '../types.js';
import type { Db, PgCtx } from './context.js';
import { insertMessages, META_COLS, removeMessages, uniqueHashes, type MessageRow } from './rows.js';
import type { Pop3Ops } from '../ops.js';

const DAY_MS = 86_400_000;

export function pop3Ops(ctx: PgCtx): Pop3Ops {
  const inbox = async (db: Db, accountId: number) => {
    const mb = await ctx.mailboxByName(db, accountId, 'INBOX');
    if (!mb) throw new StoreError('NONEXISTENT', `account ${accountId} has no INBOX`);
    return mb;
  };

  return {
    async pop3List(accountId) {
      await ctx.account(ctx, accountId);
      const mb = await inbox(ctx, accountId);
      const rows = await ctx.q<{ uid: number; size: number; guid: string; bare_lf: number }>(
        `SELECT m.uid, m.size, m.guid, b.bare_lf FROM messages m JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash
         WHERE m.account_id = $1 AND m.mailbox_id = $2 AND NOT m.hidden_pop3 ORDER BY m.uid`,
        [accountId, mb.id],
      );
      return rows.map((r) => ({ uid: r.uid, size: r.size, pop3Size: r.size + r.bare_lf, guid: r.guid }));
    },
    async pop3Delete(accountId, uids, policy, retentionDays, opts) {
      const origin = opts?.origin;
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        const mb = await inbox(db, accountId);
        const wanted = [...new Set(uids)].sort((a, b) => a - b);
        const rows = await db.q<MessageRow>(
          `SELECT ${META_COLS} FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) ORDER BY uid`,
          [accountId, mb.id, wanted],
        );
        const changes: Change[] = [];
        if (rows.length === 0) return { value: changes, changes };
        const collect = (hashes: Buffer[]) => ctx.collectBlobs(db, accountId, hashes);
        if (policy === 'hide') {
          await db.q('UPDATE messages SET hidden_pop3 = true WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])', [
            accountId,
            mb.id,
            rows.map((r) => r.uid),
          ]);
          return { value: changes, changes };
        }
        let effective = policy;
        if (policy === 'trash') {
          const [special] = await db.q<{ name: string }>(
            "SELECT name FROM mailboxes WHERE account_id = $1 AND special_use = '\\Trash' ORDER BY id LIMIT 1",
            [accountId],
          );
          const trash = await ctx.mailboxByName(db, accountId, special?.name ?? 'Trash');
          if (trash && trash.id !== mb.id) {
            changes.push(
              ...(await insertMessages(
                db,
                trash,
                rows.map((r) => ({ blobHash: r.blob_hash, size: r.size, flags: r.flags, internalDate: r.internal_date, guid: r.guid })),
                origin,
              )),
            );
            const gone = await removeMessages(db, mb, rows, origin, collect);
            if (gone) changes.push(gone);
            return { value: changes, changes };
          }
          effective = 'retain'; // no Trash: keep it recoverable rather than destroy it
        }
        if (effective === 'retain') {
          const now = Date.now();
          await db.q(
            `INSERT INTO retained (account_id, guid, blob_hash, flags, internal_date, deleted_at, purge_after)
             SELECT $1, g, h, ARRAY(SELECT jsonb_array_elements_text(f::jsonb)), t, $2, $3
             FROM unnest($4::text[], $5::bytea[], $6::text[], $7::bigint[]) AS x(g, h, f, t)
             ON CONFLICT (account_id, guid) DO UPDATE SET blob_hash = excluded.blob_hash, flags = excluded.flags,
               internal_date = excluded.internal_date, deleted_at = excluded.deleted_at, purge_after = excluded.purge_after`,
            [
              accountId,
              now,
              now + retentionDays * DAY_MS,
              rows.map((r) => r.guid),
              rows.map((r) => r.blob_hash),
              rows.map((r) => JSON.stringify(r.flags)),
              rows.map((r) => r.internal_date),
            ],
          );
        }
        const gone = await removeMessages(db, mb, rows, origin, collect);
        if (gone) changes.push(gone);
        return { value: changes, changes };
      });
    },
    async listRetained(accountId) {
      await ctx.account(ctx, accountId);
      const rows = await ctx.q<{ guid: string; deleted_at: number; purge_after: number; size: number; subject: string | null }>(
        `SELECT r.guid, r.deleted_at, r.purge_after, b.size, b.subject FROM retained r
         JOIN blobs b ON b.account_id = r.account_id AND b.hash = r.blob_hash
         WHERE r.account_id = $1 ORDER BY r.deleted_at, r.guid`,
        [accountId],
      );
      return rows.map((r) => ({ guid: r.guid, deletedAt: new Date(r.deleted_at), purgeAfter: new Date(r.purge_after), size: r.size, subject: r.subject }));
    },
    async pop3Restore(accountId, guids) {
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        const mb = await inbox(db, accountId);
        let rows = await db.q<{ guid: string; blob_hash: Buffer; flags: Flag[]; internal_date: number; size: number }>(
          `SELECT r.guid, r.blob_hash, r.flags, r.internal_date, b.size FROM retained r
           JOIN blobs b ON b.account_id = r.account_id AND b.hash = r.blob_hash
           WHERE r.account_id = $1 ORDER BY r.deleted_at, r.guid`,
          [accountId],
        );
        if (guids) {
          const want = new Set(guids);
          rows = rows.filter((r) => want.has(r.guid));
        }
        const changes = await insertMessages(
          db,
          mb,
          rows.map((r) => ({ blobHash: r.blob_hash, size: r.size, flags: r.flags, internalDate: r.internal_date, guid: r.guid })),
          undefined,
        );
        if (rows.length)
          await db.q('DELETE FROM retained WHERE account_id = $1 AND guid = ANY($2::text[])', [accountId, rows.map((r) => r.guid)]);
        return { value: rows.length, changes };
      });
    },
    async purgeRetained(now) {
      return ctx.tx(async (db) => {
        // the accounts' locks first (ascending): a concurrent restore or append never sees a body vanish
        const due = await db.q<{ account_id: number }>('SELECT DISTINCT account_id FROM retained WHERE purge_after <= $1 ORDER BY account_id', [
          now.getTime(),
        ]);
        for (const d of due) await db.q('SELECT pg_advisory_xact_lock(1, $1::int)', [d.account_id]);
        const rows = await db.q<{ account_id: number; blob_hash: Buffer }>(
          'DELETE FROM retained WHERE purge_after <= $1 AND account_id = ANY($2::bigint[]) RETURNING account_id, blob_hash',
          [now.getTime(), due.map((d) => d.account_id)],
        );
        const byAccount = new Map<number, Buffer[]>();
        for (const r of rows) (byAccount.get(r.account_id) ?? byAccount.set(r.account_id, []).get(r.account_id)!).push(r.blob_hash);
        for (const [a, hashes] of byAccount) await ctx.collectBlobs(db, a, uniqueHashes(hashes));
        return { value: rows.length, changes: [] };
      });
    },
  };
}
