/** Sort rows of the memory backend (../sort-types.ts): the keys live with each body; SORT orders them in JavaScript. */
import { computeSortKeys } from '../sort-keys.js';
import { orderRows } from '../sort-order.js';
import { inUidSet } from '../util.js';
import type { SortOps, SortRow } from '../sort-types.js';
import type { MemCtx } from './context.js';
import type { AccountId, MailboxId, UidSet } from '../types.js';

export function sortOps(m: MemCtx): SortOps {
  const rows = (accountId: AccountId, mailboxId: MailboxId, uids?: UidSet): SortRow[] => {
    m.open();
    const msgs = m.mbox(accountId, mailboxId).msgs;
    return (uids ? msgs.filter((x) => inUidSet(x.uid, uids)) : msgs).map((x) => ({
      ...(x.body.sortKeys ??= computeSortKeys(x.body.raw, x.body.index)),
      uid: x.uid,
      internalDate: x.internalDate.getTime(),
      size: x.body.raw.length,
      saveDate: x.saveDate.getTime(),
    }));
  };
  return {
    async sortRows(accountId, mailboxId, uids) {
      return rows(accountId, mailboxId, uids);
    },
    async sortUids(accountId, mailboxId, criteria) {
      return orderRows(rows(accountId, mailboxId), criteria);
    },
    async threadRows(accountId, mailboxId) {
      return rows(accountId, mailboxId);
    },
  };
}
