/** Mailboxes of the SQLite store: list, status, create, delete, rename, subscriptions, \Recent. */
import { StoreError, type Change, type MailboxStatus, type SpecialUse } from '../types.js';
import { checkMailboxLimit, normaliseMailboxName, parentNames } from '../util.js';
import { SUBSCRIBED, type Ctx, type MailboxRow } from './context.js';
import { insertMessage, type MessageRow } from './rows.js';
import type { MailboxOps } from '../ops.js';


/** claimRecent's answer when nothing is recent for the caller: above every possible UID */
const NOTHING_RECENT = 2 ** 32;

export function mailboxOps(ctx: Ctx, maxMailboxes?: number): MailboxOps {
  const { q } = ctx;
  /** \Recent claims being committed, by mailbox (claimRecent) */
  const recentClaims = new Map<number, { accountId: number; claim: Promise<number> }>();

  function createWithParents(
    accountId: number,
    name: string,
    specialUse: SpecialUse | null,
    origin: string | undefined,
    parentsOnly = false,
  ): Change[] {
    const changes: Change[] = [];
    const names = parentsOnly ? parentNames(name) : [...parentNames(name), name];
    const existing = q('SELECT count(*) FROM mailboxes WHERE account_id = ?').pluck(true).get(accountId) as number;
    checkMailboxLimit(existing, names.filter((p) => !ctx.mailboxByName(accountId, p)).length, maxMailboxes);
    // RFC 9051 §6.3.4: superiors needed to place the new name are created too
    for (const p of names) {
      if (ctx.mailboxByName(accountId, p)) continue;
      const m = ctx.insertMailbox(accountId, p, p === name ? specialUse : null);
      changes.push({ kind: 'mailbox-created', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: p, origin });
    }
    return changes;
  }

  return {
    async listMailboxes(accountId) {
      ctx.account(accountId);
      return (q('SELECT * FROM mailboxes WHERE account_id = ? ORDER BY name').all(accountId) as MailboxRow[]).map(ctx.info);
    },
    async getMailbox(accountId, name) {
      let n: string;
      try {
        n = normaliseMailboxName(name);
      } catch {
        ctx.account(accountId);
        return null;
      }
      ctx.open();
      // one statement (every SELECT, STATUS, APPEND… starts here): the account (NONEXISTENT
      // when it is gone, as ctx.account), its mailbox of that name and the subscription
      const r = q(`SELECT a.id AS account, m.*, ${SUBSCRIBED} FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id AND m.name = ? WHERE a.id = ?`).get(
        n,
        accountId,
      ) as (MailboxRow & { account: number }) | undefined;
      if (!r) ctx.account(accountId);
      return r?.id == null ? null : ctx.info(r);
    },
    async getSpecialMailbox(accountId, use) {
      ctx.account(accountId);
      const r = q('SELECT * FROM mailboxes WHERE account_id = ? AND special_use = ? ORDER BY id LIMIT 1').get(accountId, use) as
        | MailboxRow
        | undefined;
      return r ? ctx.info(r) : null;
    },
    async mailboxStatus(accountId, mailboxId, recentFromUid) {
      ctx.open();
      // one statement: the row, its subscription, \Recent from recent_from (or the caller's UID) and the first unseen UID
      const r = q(
        `SELECT m.*, ${SUBSCRIBED},
           (SELECT count(*) FROM messages WHERE mailbox_id = m.id AND uid >= coalesce(?, m.recent_from)) AS recent,
           (SELECT uid FROM messages WHERE mailbox_id = m.id AND seen = 0 ORDER BY uid LIMIT 1) AS first_unseen
         FROM mailboxes m WHERE m.id = ? AND m.account_id = ?`,
      ).get(recentFromUid ?? null, mailboxId, accountId) as (MailboxRow & { recent: number; first_unseen: number | null }) | undefined;
      if (!r) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      const s: MailboxStatus = {
        ...ctx.info(r),
        messages: r.messages,
        unseen: r.unseen,
        deleted: r.deleted,
        size: r.size,
        recent: r.recent,
        firstUnseenUid: r.first_unseen,
      };
      return s;
    },
    async createMailbox(accountId, name, opts) {
      const n = normaliseMailboxName(name);
      return ctx.mutate(() => {
        ctx.account(accountId);
        if (ctx.mailboxByName(accountId, n)) throw new StoreError('ALREADYEXISTS', `mailbox ${n} already exists`);
        const changes = createWithParents(accountId, n, opts?.specialUse ?? null, opts?.origin);
        return { value: changes, changes };
      });
    },
    async deleteMailbox(accountId, name, opts) {
      const n = normaliseMailboxName(name);
      if (n === 'INBOX') throw new StoreError('NOPERM', 'INBOX cannot be deleted');
      return ctx.mutate(() => {
        ctx.account(accountId);
        const m = ctx.mailboxByName(accountId, n);
        if (!m) throw new StoreError('NONEXISTENT', `mailbox ${n} does not exist`);
        const blobs = q('SELECT DISTINCT blob_id FROM messages WHERE mailbox_id = ?').pluck(true).all(m.id) as number[];
        q('DELETE FROM mailboxes WHERE id = ?').run(m.id); // messages and expunge log cascade
        ctx.collectBlobs(blobs);
        const changes: Change[] = [{ kind: 'mailbox-deleted', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: n, origin: opts?.origin }];
        return { value: changes, changes };
      });
    },
    async renameMailbox(accountId, oldName, newName, opts) {
      const from = normaliseMailboxName(oldName);
      const to = normaliseMailboxName(newName);
      const origin = opts?.origin;
      return ctx.mutate(() => {
        ctx.account(accountId);
        const src = ctx.mailboxByName(accountId, from);
        if (!src) throw new StoreError('NONEXISTENT', `mailbox ${from} does not exist`);
        if (to === 'INBOX' || ctx.mailboxByName(accountId, to)) throw new StoreError('ALREADYEXISTS', `mailbox ${to} already exists`);
        if (from !== 'INBOX' && to.startsWith(from + '/')) throw new StoreError('INVALID', `cannot rename ${from} into its own child ${to}`);
        const changes: Change[] = [];
        if (from === 'INBOX') {
          // RFC 9051 §6.3.6: messages move to a new mailbox; INBOX stays, empty; its children stay
          changes.push(...createWithParents(accountId, to, null, origin));
          const dest = ctx.mailboxByName(accountId, to)!;
          const rows = q('SELECT * FROM messages WHERE mailbox_id = ? ORDER BY uid').all(src.id) as MessageRow[];
          for (const r of rows)
            changes.push(insertMessage(ctx, dest, { blobId: r.blob_id, size: r.size, flags: JSON.parse(r.flags), internalDate: r.internal_date, guid: r.guid }, origin));
          if (rows.length > 0) {
            const modseq = src.highest_modseq + 1;
            q('DELETE FROM messages WHERE mailbox_id = ?').run(src.id);
            const log = q('INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)');
            for (const r of rows) log.run(src.id, r.uid, modseq);
            q('UPDATE mailboxes SET highest_modseq = ? WHERE id = ?').run(modseq, src.id);
            changes.push({ kind: 'expunge', accountId, mailboxId: src.id, modseq, uids: rows.map((r) => r.uid), origin });
          }
          return { value: changes, changes };
        }
        const all = q("SELECT * FROM mailboxes WHERE account_id = ? AND (name = ? OR substr(name, 1, ?) = ?) ORDER BY name").all(
          accountId,
          from,
          from.length + 1,
          from + '/',
        ) as MailboxRow[];
        const renames = all.map((m) => [m, to + m.name.slice(from.length)] as const);
        for (const [, nn] of renames)
          if (ctx.mailboxByName(accountId, nn)) throw new StoreError('ALREADYEXISTS', `mailbox ${nn} already exists`);
        changes.push(...createWithParents(accountId, to, null, origin, true));
        for (const [m, nn] of renames) {
          q('UPDATE mailboxes SET name = ? WHERE id = ?').run(nn, m.id);
          if (q('DELETE FROM subscriptions WHERE account_id = ? AND name = ?').run(accountId, m.name).changes > 0)
            q('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)').run(accountId, nn);
          changes.push({ kind: 'mailbox-renamed', accountId, mailboxId: m.id, modseq: m.highest_modseq, name: nn, oldName: m.name, origin });
        }
        return { value: changes, changes };
      });
    },
    async setSubscribed(accountId, name, subscribed) {
      const n = normaliseMailboxName(name);
      return ctx.mutate(() => {
        ctx.account(accountId);
        if (subscribed) q('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)').run(accountId, n);
        else q('DELETE FROM subscriptions WHERE account_id = ? AND name = ?').run(accountId, n);
        return { value: undefined, changes: [] };
      });
    },
    async listSubscriptions(accountId) {
      ctx.account(accountId);
      return (q('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name').all(accountId) as Array<{ name: string }>).map(
        (r) => r.name,
      );
    },
    async claimRecent(accountId, mailboxId) {
      // a claim already on its way for this mailbox (every IDLE session wakes for the same
      // new message): wait for it, and have nothing recent (a UID never reaches 2^32): what
      // it claimed is another session's, anything newer is claimed at someone's next sync.
      // No row is read again, for any of the thousands of sessions that may be waiting.
      const inFlight = recentClaims.get(mailboxId);
      if (inFlight && inFlight.accountId === accountId) {
        await inFlight.claim.catch(() => undefined);
        return NOTHING_RECENT;
      }
      // nothing new since the last claim (the common SELECT): no transaction at all
      const now = ctx.mailbox(accountId, mailboxId);
      if (now.recent_from >= now.uid_next) return now.recent_from;
      // \Recent is session bookkeeping, not mail: committed without an fsync (committer.ts)
      const claim = ctx.mutate(
        () => {
          const m = ctx.mailbox(accountId, mailboxId);
          q('UPDATE mailboxes SET recent_from = uid_next WHERE id = ?').run(mailboxId);
          return { value: m.recent_from, changes: [] };
        },
        { durable: false },
      );
      const entry = { accountId, claim };
      recentClaims.set(mailboxId, entry);
      try {
        return await claim;
      } finally {
        if (recentClaims.get(mailboxId) === entry) recentClaims.delete(mailboxId);
      }
    },
  };
}
