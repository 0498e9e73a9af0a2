/**
 * POP3 maildrop of the SQLite store (issue #4): the INBOX minus messages hidden from
 * POP3, DELE policies applied at QUIT, and the retained area for recoverable deletes.
 */
import { StoreError, type Change, type Flag } from '../types.js';
import type { Ctx } from './context.js';
import { insertMessage, removeMessages, type MessageRow } from './rows.js';
import type { Pop3Ops } from '../ops.js';


const DAY_MS = 86_400_000;

interface RetainedRow {
  account_id: number;
  guid: string;
  blob_id: number;
  flags: string;
  internal_date: number;
  deleted_at: number;
  purge_after: number;
}

export function pop3Ops(ctx: Ctx): Pop3Ops {
  const { q } = ctx;
  const inbox = (accountId: number) => {
    const mb = ctx.mailboxByName(accountId, 'INBOX');
    if (!mb) throw new StoreError('NONEXISTENT', `account ${accountId} has no INBOX`);
    return mb;
  };

  return {
    async pop3List(accountId) {
      ctx.account(accountId);
      const mb = inbox(accountId);
      const rows = q(
        `SELECT m.uid, m.size, m.guid, b.bare_lf FROM messages m JOIN blobs b ON b.id = m.blob_id
         WHERE m.mailbox_id = ? AND m.hidden_pop3 = 0 ORDER BY m.uid`,
      ).all(mb.id) as Array<{ uid: number; size: number; guid: string; bare_lf: number }>;
      return rows.map((r) => ({ uid: r.uid, size: r.size, pop3Size: r.size + r.bare_lf, guid: r.guid }));
    },
    async pop3Delete(accountId, uids, policy, retentionDays, opts) {
      const origin = opts?.origin;
      return ctx.mutate(() => {
        ctx.account(accountId);
        const mb = inbox(accountId);
        const get = q('SELECT * FROM messages WHERE mailbox_id = ? AND uid = ?');
        const rows = [...new Set(uids)]
          .sort((a, b) => a - b)
          .map((u) => get.get(mb.id, u) as MessageRow | undefined)
          .filter((r): r is MessageRow => !!r);
        const changes: Change[] = [];
        if (rows.length === 0) return { value: changes, changes };
        if (policy === 'hide') {
          const hide = q('UPDATE messages SET hidden_pop3 = 1 WHERE mailbox_id = ? AND uid = ?');
          for (const r of rows) hide.run(mb.id, r.uid);
          return { value: changes, changes };
        }
        let effective = policy;
        if (policy === 'trash') {
          const trash =
            (q("SELECT * FROM mailboxes WHERE account_id = ? AND special_use = '\\Trash' ORDER BY id LIMIT 1").get(accountId) as
              | typeof mb
              | undefined) ?? ctx.mailboxByName(accountId, 'Trash');
          if (trash && trash.id !== mb.id) {
            for (const r of rows)
              changes.push(
                insertMessage(ctx, trash, { blobId: r.blob_id, size: r.size, flags: JSON.parse(r.flags) as Flag[], internalDate: r.internal_date, guid: r.guid }, origin),
              );
            const gone = removeMessages(ctx, mb, rows, origin);
            if (gone) changes.push(gone);
            return { value: changes, changes };
          }
          effective = 'retain'; // no Trash: keep it recoverable rather than destroy it
        }
        if (effective === 'retain') {
          const now = Date.now();
          // delete, then insert (not INSERT OR REPLACE: REPLACE fires no delete trigger, and the
          // triggers keep the retained bytes in used_bytes, so they count toward the quota)
          const drop = q('DELETE FROM retained WHERE account_id = ? AND guid = ?');
          const keep = q(
            `INSERT INTO retained (account_id, guid, blob_id, flags, internal_date, deleted_at, purge_after)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          );
          for (const r of rows) {
            drop.run(accountId, r.guid);
            keep.run(accountId, r.guid, r.blob_id, r.flags, r.internal_date, now, now + retentionDays * DAY_MS);
          }
        }
        const gone = removeMessages(ctx, mb, rows, origin);
        if (gone) changes.push(gone);
        return { value: changes, changes };
      });
    },
    async listRetained(accountId) {
      ctx.account(accountId);
      const rows = q(
        `SELECT r.guid, r.deleted_at, r.purge_after, b.size, b.subject FROM retained r JOIN blobs b ON b.id = r.blob_id
         WHERE r.account_id = ? ORDER BY r.deleted_at, r.guid`,
      ).all(accountId) as Array<{ guid: string; deleted_at: number; purge_after: number; size: number; subject: string | null }>;
      return rows.map((r) => ({
        guid: r.guid,
        deletedAt: new Date(r.deleted_at),
        purgeAfter: new Date(r.purge_after),
        size: r.size,
        subject: r.subject,
      }));
    },
    async pop3Restore(accountId, guids) {
      return ctx.mutate(() => {
        ctx.account(accountId);
        const mb = inbox(accountId);
        let rows = q('SELECT * FROM retained WHERE account_id = ? ORDER BY deleted_at, guid').all(accountId) as RetainedRow[];
        if (guids) {
          const want = new Set(guids);
          rows = rows.filter((r) => want.has(r.guid));
        }
        const changes: Change[] = [];
        const size = q('SELECT size FROM blobs WHERE id = ?').pluck(true);
        const drop = q('DELETE FROM retained WHERE account_id = ? AND guid = ?');
        for (const r of rows) {
          changes.push(
            insertMessage(ctx, mb, { blobId: r.blob_id, size: size.get(r.blob_id) as number, flags: JSON.parse(r.flags) as Flag[], internalDate: r.internal_date, guid: r.guid }, undefined),
          );
          drop.run(accountId, r.guid);
        }
        return { value: rows.length, changes };
      });
    },
    async purgeRetained(now) {
      return ctx.mutate(() => {
        const rows = q('SELECT account_id, guid, blob_id FROM retained WHERE purge_after <= ?').all(now.getTime()) as RetainedRow[];
        const drop = q('DELETE FROM retained WHERE account_id = ? AND guid = ?');
        for (const r of rows) drop.run(r.account_id, r.guid);
        ctx.collectBlobs(rows.map((r) => r.blob_id));
        return { value: rows.length, changes: [] };
      });
    },
  };
}
