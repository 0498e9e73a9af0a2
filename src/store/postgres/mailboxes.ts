/** Mailboxes of the PostgreSQL store: list, status, create, delete, rename, subscriptions, \Recent. */
import { StoreError, type Change, type MailboxStatus, type SpecialUse } from '../types.js';
import { checkMailboxLimit, normaliseMailboxName, parentNames } from '../util.js';
import { SUBSCRIBED, type Db, type MailboxRow, type PgCtx } from './context.js';
import { insertMessages, META_COLS, uniqueHashes, type MessageRow } from './rows.js';
import type { MailboxOps } from '../ops.js';

export function mailboxOps(ctx: PgCtx, maxMailboxes?: number): MailboxOps {
  async function createWithParents(
    db: Db,
    accountId: number,
    name: string,
    specialUse: SpecialUse | null,
    origin: string | undefined,
    parentsOnly = false,
  ): Promise<Change[]> {
    const changes: Change[] = [];
    const names = parentsOnly ? parentNames(name) : [...parentNames(name), name];
    if (maxMailboxes !== undefined) {
      // the caller holds the account's lock: no other node creates one meanwhile
      const [c] = await db.q<{ n: number; present: number }>(
        'SELECT count(*)::bigint AS n, count(*) FILTER (WHERE name = ANY($2::text[]))::bigint AS present FROM mailboxes WHERE account_id = $1',
        [accountId, names],
      );
      checkMailboxLimit(c!.n, names.length - c!.present, maxMailboxes);
    }
    // RFC 9051 §6.3.4: superiors needed to place the new name are created too
    for (const p of names) {
      if (await ctx.mailboxByName(db, accountId, p)) continue;
      const m = await ctx.insertMailbox(db, accountId, p, p === name ? specialUse : null);
      changes.push({ kind: 'mailbox-created', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: p, origin });
    }
    return changes;
  }

  return {
    async listMailboxes(accountId) {
      await ctx.account(ctx, accountId);
      const rows = await ctx.q<MailboxRow & { subscribed: boolean }>(
        `SELECT m.*, EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = m.account_id AND s.name = m.name) AS subscribed
         FROM mailboxes m WHERE m.account_id = $1 ORDER BY m.name`,
        [accountId],
      );
      return rows.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        name: r.name,
        specialUse: r.special_use as SpecialUse | null,
        subscribed: r.subscribed,
        uidValidity: r.uid_validity,
        uidNext: r.uid_next,
        highestModseq: r.highest_modseq,
      }));
    },
    async getMailbox(accountId, name) {
      let n: string;
      try {
        n = normaliseMailboxName(name);
      } catch {
        await ctx.account(ctx, accountId);
        return null;
      }
      // one round trip (every SELECT, STATUS, APPEND… starts here): the account (NONEXISTENT
      // when it is gone, as ctx.account), its mailbox of that name and the subscription
      const [r] = await ctx.q<MailboxRow & { account: number }>(
        `SELECT a.id AS account, m.*, ${SUBSCRIBED} FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id AND m.name = $2 WHERE a.id = $1`,
        [accountId, n],
      );
      if (!r) await ctx.account(ctx, accountId);
      return r?.id == null ? null : ctx.info(ctx, r);
    },
    async getSpecialMailbox(accountId, use) {
      await ctx.account(ctx, accountId);
      const [r] = await ctx.q<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND special_use = $2 ORDER BY id LIMIT 1', [accountId, use]);
      return r ? ctx.info(ctx, r) : null;
    },
    async mailboxStatus(accountId, mailboxId, recentFromUid) {
      // one round trip: the row, its subscription, \Recent from recent_from (or the caller's UID) and the first unseen UID
      const [r] = await ctx.q<MailboxRow & { recent: number; first: number | null }>(
        `SELECT m.*, ${SUBSCRIBED},
           (SELECT count(*) FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid >= coalesce($3, m.recent_from)) AS recent,
           (SELECT min(uid) FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND NOT seen) AS first
         FROM mailboxes m WHERE m.account_id = $1 AND m.id = $2`,
        [accountId, mailboxId, recentFromUid ?? null],
      );
      if (!r) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      const s: MailboxStatus = {
        ...(await ctx.info(ctx, r)),
        messages: r.messages,
        unseen: r.unseen,
        deleted: r.deleted,
        size: r.size,
        recent: r.recent,
        firstUnseenUid: r.first,
      };
      return s;
    },
    async createMailbox(accountId, name, opts) {
      const n = normaliseMailboxName(name);
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        if (await ctx.mailboxByName(db, accountId, n)) throw new StoreError('ALREADYEXISTS', `mailbox ${n} already exists`);
        const changes = await createWithParents(db, accountId, n, opts?.specialUse ?? null, opts?.origin);
        return { value: changes, changes };
      });
    },
    async deleteMailbox(accountId, name, opts) {
      const n = normaliseMailboxName(name);
      if (n === 'INBOX') throw new StoreError('NOPERM', 'INBOX cannot be deleted');
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        const m = await ctx.mailboxByName(db, accountId, n);
        if (!m) throw new StoreError('NONEXISTENT', `mailbox ${n} does not exist`);
        const hashes = await db.q<{ blob_hash: Buffer }>('SELECT DISTINCT blob_hash FROM messages WHERE account_id = $1 AND mailbox_id = $2', [
          accountId,
          m.id,
        ]);
        await db.q('DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2', [accountId, m.id]);
        await db.q('DELETE FROM expunged WHERE account_id = $1 AND mailbox_id = $2', [accountId, m.id]);
        await db.q('DELETE FROM mailboxes WHERE account_id = $1 AND id = $2', [accountId, m.id]);
        await ctx.collectBlobs(db, accountId, hashes.map((h) => h.blob_hash));
        const changes: Change[] = [{ kind: 'mailbox-deleted', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: n, origin: opts?.origin }];
        return { value: changes, changes };
      });
    },
    async renameMailbox(accountId, oldName, newName, opts) {
      const from = normaliseMailboxName(oldName);
      const to = normaliseMailboxName(newName);
      const origin = opts?.origin;
      return ctx.tx(async (db) => {
        await ctx.lockAccount(db, accountId);
        const src = await ctx.mailboxByName(db, accountId, from);
        if (!src) throw new StoreError('NONEXISTENT', `mailbox ${from} does not exist`);
        if (to === 'INBOX' || (await ctx.mailboxByName(db, accountId, to))) throw new StoreError('ALREADYEXISTS', `mailbox ${to} already exists`);
        if (from !== 'INBOX' && to.startsWith(from + '/')) throw new StoreError('INVALID', `cannot rename ${from} into its own child ${to}`);
        const changes: Change[] = [];
        if (from === 'INBOX') {
          // RFC 9051 §6.3.6: messages move to a new mailbox; INBOX stays, empty; its children stay
          changes.push(...(await createWithParents(db, accountId, to, null, origin)));
          const dest = (await ctx.mailboxByName(db, accountId, to))!;
          const rows = await db.q<MessageRow>(`SELECT ${META_COLS} FROM messages WHERE account_id = $1 AND mailbox_id = $2 ORDER BY uid`, [
            accountId,
            src.id,
          ]);
          changes.push(
            ...(await insertMessages(
              db,
              dest,
              rows.map((r) => ({ blobHash: r.blob_hash, size: r.size, flags: r.flags, internalDate: r.internal_date, guid: r.guid })),
              origin,
            )),
          );
          if (rows.length > 0) {
            const [u] = await db.q<{ highest_modseq: number }>(
              'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE account_id = $1 AND id = $2 RETURNING highest_modseq',
              [accountId, src.id],
            );
            const modseq = u!.highest_modseq;
            const uids = rows.map((r) => r.uid);
            await db.q('DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2', [accountId, src.id]);
            await db.q(
              `INSERT INTO expunged (account_id, mailbox_id, uid, modseq) SELECT $1, $2, u, $4 FROM unnest($3::bigint[]) AS u
               ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq`,
              [accountId, src.id, uids, modseq],
            );
            await ctx.collectBlobs(db, accountId, uniqueHashes(rows.map((r) => r.blob_hash)));
            changes.push({ kind: 'expunge', accountId, mailboxId: src.id, modseq, uids, origin });
          }
          return { value: changes, changes };
        }
        const all = await db.q<MailboxRow>(
          'SELECT * FROM mailboxes WHERE account_id = $1 AND (name = $2 OR starts_with(name, $3)) ORDER BY name',
          [accountId, from, from + '/'],
        );
        const renames = all.map((m) => [m, to + m.name.slice(from.length)] as const);
        for (const [, nn] of renames)
          if (await ctx.mailboxByName(db, accountId, nn)) throw new StoreError('ALREADYEXISTS', `mailbox ${nn} already exists`);
        changes.push(...(await createWithParents(db, accountId, to, null, origin, true)));
        // two steps, so a rename of "a" to "a2" never collides with its own children on the unique name
        for (const [m] of renames) await db.q('UPDATE mailboxes SET name = $3 WHERE account_id = $1 AND id = $2', [accountId, m.id, `\u0001${m.id}`]);
        for (const [m, nn] of renames) {
          await db.q('UPDATE mailboxes SET name = $3 WHERE account_id = $1 AND id = $2', [accountId, m.id, nn]);
          if ((await db.q('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2 RETURNING 1', [accountId, m.name])).length > 0)
            await db.q('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, nn]);
          changes.push({ kind: 'mailbox-renamed', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: nn, oldName: m.name, origin });
        }
        return { value: changes, changes };
      });
    },
    async setSubscribed(accountId, name, subscribed) {
      const n = normaliseMailboxName(name);
      return ctx.tx(async (db) => {
        await ctx.account(db, accountId);
        if (subscribed) await db.q('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, n]);
        else await db.q('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [accountId, n]);
        return { value: undefined, changes: [] };
      });
    },
    async listSubscriptions(accountId) {
      await ctx.account(ctx, accountId);
      return (await ctx.q<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name', [accountId])).map((r) => r.name);
    },
    async claimRecent(accountId, mailboxId) {
      const now = await ctx.mailbox(ctx, accountId, mailboxId);
      if (now.recent_from >= now.uid_next) return now.recent_from;
      // the old value comes back from the same atomic statement that moves it
      return ctx.tx(
        async (db) => {
          const [r] = await db.q<{ old: number }>(
            `UPDATE mailboxes m SET recent_from = m.uid_next FROM (SELECT recent_from AS old FROM mailboxes WHERE account_id = $1 AND id = $2 FOR UPDATE) o
             WHERE m.account_id = $1 AND m.id = $2 RETURNING o.old`,
            [accountId, mailboxId],
          );
          if (!r) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
          return { value: r.old, changes: [] };
        },
        { durable: false },
      );
    },
  };
}
