/** POP3 maildrop of the in-memory backend: DELE policies, retained messages, restore. */
import { type Change, type Pop3DeletePolicy } from '../types.js';
import type { MemCtx } from './context.js';
import type { Pop3Ops } from '../ops.js';

const DAY_MS = 86_400_000;


export function pop3Ops(m: MemCtx): Pop3Ops {
  const { open, acct, byName, put, remove, publish, inbox, st } = m;
  return {
    async pop3List(accountId) {
      const a = acct(accountId);
      return inbox(a)
        .msgs.filter((x) => !x.hiddenFromPop3)
        .map((x) => ({ uid: x.uid, size: x.body.raw.length, pop3Size: x.body.raw.length + x.body.index.bareLf, guid: x.guid }));
    },
    async pop3Delete(accountId, uids, policy: Pop3DeletePolicy, retentionDays, opts) {
      const a = acct(accountId);
      const box = inbox(a);
      const wanted = new Set(uids);
      const picked = box.msgs.filter((x) => wanted.has(x.uid));
      const origin = opts?.origin;
      const changes: Change[] = [];
      if (picked.length === 0) return changes;
      if (policy === 'hide') {
        for (const x of picked) x.hiddenFromPop3 = true;
        return changes;
      }
      if (policy === 'trash') {
        const trash = [...a.mailboxes.values()].find((m) => m.specialUse === '\\Trash') ?? byName(a, 'Trash');
        if (trash && trash !== box) {
          for (const x of picked) changes.push(put(a, trash, x.body, x.flags, x.internalDate, x.guid, origin));
          const gone = remove(a, box, picked, origin);
          if (gone) changes.push(gone);
          return publish(changes);
        }
        policy = 'retain'; // no Trash: keep it recoverable rather than destroy it
      }
      if (policy === 'retain') {
        const now = new Date();
        const purgeAfter = new Date(now.getTime() + retentionDays * DAY_MS);
        for (const x of picked) {
          const old = a.retained.find((r) => r.guid === x.guid);
          if (old) {
            a.retained = a.retained.filter((r) => r !== old);
            a.used -= old.body.raw.length;
          }
          a.retained.push({ guid: x.guid, deletedAt: now, purgeAfter, flags: [...x.flags], internalDate: x.internalDate, body: x.body });
          a.used += x.body.raw.length; // retained messages count toward the quota (remove() below subtracts the message)
        }
      }
      const gone = remove(a, box, picked, origin);
      if (gone) changes.push(gone);
      return publish(changes);
    },
    async listRetained(accountId) {
      return acct(accountId).retained.map((r) => ({
        guid: r.guid,
        deletedAt: new Date(r.deletedAt),
        purgeAfter: new Date(r.purgeAfter),
        size: r.body.raw.length,
        subject: r.body.index.root.envelope?.subject ?? null,
      }));
    },
    async pop3Restore(accountId, guids) {
      const a = acct(accountId);
      const box = inbox(a);
      const want = guids ? new Set(guids) : null;
      const back = a.retained.filter((r) => !want || want.has(r.guid));
      const changes: Change[] = [];
      for (const r of back) changes.push(put(a, box, r.body, r.flags, r.internalDate, r.guid, undefined));
      a.retained = a.retained.filter((r) => !back.includes(r));
      for (const r of back) a.used -= r.body.raw.length; // put() counted them again as messages
      publish(changes);
      return back.length;
    },
    async purgeRetained(now) {
      open();
      let n = 0;
      for (const a of st.accounts.values()) {
        const keep = a.retained.filter((r) => r.purgeAfter.getTime() > now.getTime());
        n += a.retained.length - keep.length;
        for (const r of a.retained) if (!keep.includes(r)) a.used -= r.body.raw.length;
        a.retained = keep;
      }
      return n;
    },
  };
}

