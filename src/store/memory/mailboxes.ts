/** Mailboxes of the in-memory backend: list, status, create, delete, rename, subscriptions, \\Recent. */
import { StoreError, type Change, type MailboxStatus } from '../types.js';
import { checkMailboxLimit, hasFlag, normaliseMailboxName, parentNames } from '../util.js';
import type { Mbox } from './model.js';
import type { MemCtx } from './context.js';
import type { MailboxOps } from '../ops.js';


export function mailboxOps(m: MemCtx, maxMailboxes?: number): MailboxOps {
  const { acct, mbox, byName, info, newMailbox, put, remove, publish } = m;
  return {
    async listMailboxes(accountId) {
      const a = acct(accountId);
      return [...a.mailboxes.values()].map((m) => info(a, m)).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    },
    async getMailbox(accountId, name) {
      const a = acct(accountId);
      let n: string;
      try {
        n = normaliseMailboxName(name);
      } catch {
        return null;
      }
      const m = byName(a, n);
      return m ? info(a, m) : null;
    },
    async getSpecialMailbox(accountId, use) {
      const a = acct(accountId);
      const list = [...a.mailboxes.values()].filter((m) => m.specialUse === use).sort((x, y) => x.id - y.id);
      return list[0] ? info(a, list[0]) : null;
    },
    async mailboxStatus(accountId, mailboxId, recentFromUid) {
      const a = acct(accountId);
      const m = mbox(accountId, mailboxId);
      const from = recentFromUid ?? m.recentFrom;
      let unseen = 0, deleted = 0, size = 0, recent = 0;
      let firstUnseenUid: number | null = null;
      for (const x of m.msgs) {
        if (!hasFlag(x.flags, '\\Seen')) {
          unseen++;
          firstUnseenUid ??= x.uid;
        }
        if (hasFlag(x.flags, '\\Deleted')) deleted++;
        size += x.body.raw.length;
        if (x.uid >= from) recent++;
      }
      const s: MailboxStatus = { ...info(a, m), messages: m.msgs.length, unseen, deleted, size, recent, firstUnseenUid };
      return s;
    },
    async createMailbox(accountId, name, opts) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (byName(a, n)) throw new StoreError('ALREADYEXISTS', `mailbox ${n} already exists`);
      const changes: Change[] = [];
      checkMailboxLimit(a.mailboxes.size, [...parentNames(n), n].filter((p) => !byName(a, p)).length, maxMailboxes);
      // RFC 9051 §6.3.4: superiors needed to place the new name are created too
      for (const p of [...parentNames(n), n]) {
        if (byName(a, p)) continue;
        const m = newMailbox(a, p, p === n ? (opts?.specialUse ?? null) : null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: m.id, modseq: m.highestModseq, name: p, origin: opts?.origin });
      }
      return publish(changes);
    },
    async deleteMailbox(accountId, name, opts) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (n === 'INBOX') throw new StoreError('NOPERM', 'INBOX cannot be deleted');
      const m = byName(a, n);
      if (!m) throw new StoreError('NONEXISTENT', `mailbox ${n} does not exist`);
      for (const x of m.msgs) a.used -= x.body.raw.length;
      a.mailboxes.delete(m.id);
      return publish([{ kind: 'mailbox-deleted', accountId, mailboxId: m.id, modseq: m.highestModseq, name: n, origin: opts?.origin }]);
    },
    async renameMailbox(accountId, oldName, newName, opts) {
      const a = acct(accountId);
      const from = normaliseMailboxName(oldName);
      const to = normaliseMailboxName(newName);
      const src = byName(a, from);
      if (!src) throw new StoreError('NONEXISTENT', `mailbox ${from} does not exist`);
      if (byName(a, to)) throw new StoreError('ALREADYEXISTS', `mailbox ${to} already exists`);
      if (to === 'INBOX') throw new StoreError('ALREADYEXISTS', 'INBOX already exists');
      if (from !== 'INBOX' && to.startsWith(from + '/')) throw new StoreError('INVALID', `cannot rename ${from} into its own child ${to}`);
      const origin = opts?.origin;
      const changes: Change[] = [];
      const renames: Array<[Mbox, string]> = [];
      if (from !== 'INBOX') {
        for (const m of [...a.mailboxes.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
          if (m.name === from) renames.push([m, to]);
          else if (m.name.startsWith(from + '/')) renames.push([m, to + m.name.slice(from.length)]);
        }
        for (const [, nn] of renames)
          if (byName(a, nn)) throw new StoreError('ALREADYEXISTS', `mailbox ${nn} already exists`);
      }
      checkMailboxLimit(a.mailboxes.size, parentNames(to).filter((p) => !byName(a, p)).length + (from === 'INBOX' ? 1 : 0), maxMailboxes);
      for (const p of parentNames(to)) {
        if (byName(a, p)) continue;
        const pm = newMailbox(a, p, null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: pm.id, modseq: pm.highestModseq, name: p, origin });
      }
      if (from === 'INBOX') {
        // RFC 9051 §6.3.6: messages move to a new mailbox; INBOX stays, empty; its children stay
        const dest = newMailbox(a, to, null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: dest.id, modseq: dest.highestModseq, name: to, origin });
        const moving = [...src.msgs];
        for (const x of moving) changes.push(put(a, dest, x.body, x.flags, x.internalDate, x.guid, origin));
        const gone = remove(a, src, moving, origin);
        if (gone) changes.push(gone);
        return publish(changes);
      }
      for (const [m, nn] of renames) {
        const old = m.name;
        m.name = nn;
        if (a.subscriptions.delete(old)) a.subscriptions.add(nn);
        changes.push({ kind: 'mailbox-renamed', accountId, mailboxId: m.id, modseq: m.highestModseq, name: nn, oldName: old, origin });
      }
      return publish(changes);
    },
    async setSubscribed(accountId, name, subscribed) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (subscribed) a.subscriptions.add(n);
      else a.subscriptions.delete(n);
    },
    async listSubscriptions(accountId) {
      return [...acct(accountId).subscriptions].sort();
    },
    async claimRecent(accountId, mailboxId) {
      const m = mbox(accountId, mailboxId);
      const from = m.recentFrom;
      m.recentFrom = m.uidNext;
      return from;
    },
  };
}
