/** Integrity operations of the in-memory backend (../integrity-types.ts). */
import { createHash } from 'node:crypto';
import { StoreError } from '../types.js';
import type { IntegrityOps } from '../integrity-types.js';
import { checkUidValidity } from '../util.js';
import type { MemCtx } from './context.js';

export function integrityOps(m: MemCtx): IntegrityOps {
  return {
    async contentHashes(accountId, mailboxId, uids) {
      return m.select(m.mbox(accountId, mailboxId), uids).map((x) => ({ uid: x.uid, sha256: x.body.sha256 }));
    },
    async checkStorage() {
      m.open();
      const problems: string[] = [];
      for (const a of m.st.accounts.values()) {
        const used =
          [...a.mailboxes.values()].reduce((s, mb) => s + mb.msgs.reduce((t, x) => t + x.body.raw.length, 0), 0) +
          a.retained.reduce((s, r) => s + r.body.raw.length, 0);
        if (used !== a.used) problems.push(`${a.account.address}: used bytes ${a.used} differ from the size of its messages and POP3-retained messages (${used})`);
        for (const r of a.retained)
          if (createHash('sha256').update(r.body.raw).digest('hex') !== r.body.sha256)
            problems.push(`${a.account.address}: POP3-retained message ${r.guid} no longer matches its content hash`);
      }
      return problems;
    },
    async importMessages(accountId, mailboxId, inputs, opts) {
      const a = m.acct(accountId);
      const mb = m.mbox(accountId, mailboxId);
      if (opts?.uidValidity !== undefined && opts.uidValidity !== mb.uidValidity) {
        checkUidValidity(opts.uidValidity);
        if (mb.uidNext !== 1) throw new StoreError('INVALID', `mailbox ${mb.name} already held messages; its UIDVALIDITY cannot change`);
      }
      const results = m.appendAll(a, mb, inputs, opts?.origin);
      // adopted only after appendAll succeeded (all or nothing)
      if (opts?.uidValidity !== undefined) {
        mb.uidValidity = opts.uidValidity;
        for (const r of results) r.uidValidity = opts.uidValidity;
      }
      m.publish(results.flatMap((r) => r.changes));
      return results;
    },
  };
}
