/** Sort rows of the memory backend (../sort-types.ts): the keys live with each body. */
import { computeSortKeys } from '../sort-keys.js';
import { inUidSet } from '../util.js';
import type { SortOps } from '../sort-types.js';
import type { MemCtx } from './context.js';

export function sortOps(m: MemCtx): SortOps {
  return {
    async sortRows(accountId, mailboxId, uids) {
      m.open();
      const msgs = m.mbox(accountId, mailboxId).msgs;
      return (uids ? msgs.filter((x) => inUidSet(x.uid, uids)) : msgs).map((x) => ({
        ...(x.body.sortKeys ??= computeSortKeys(x.body.raw, x.body.index)),
        uid: x.uid,
        internalDate: x.internalDate.getTime(),
        size: x.body.raw.length,
        saveDate: x.saveDate.getTime(),
      }));
    },
  };
}
