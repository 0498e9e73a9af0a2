/**
 * SETQUOTA (RFC 9208 §4.1.3), for administrators only (`letterbox user admin`; everyone
 * else gets NO [NOPERM]). STORAGE sets the account's quota, as `letterbox user quota` does;
 * a list without STORAGE removes it (the root's earlier limits are discarded). MAILBOX is
 * one limit for every account (limits.mailboxes_per_account): naming it with that value
 * changes nothing, another value is NO [CANNOT]; so is any other resource. Nothing
 * changes unless every resource can be set. Answers with the root's new `* QUOTA`.
 */
import { isAdmin } from '../../auth/roles.js';
import { AUTHED, no, ok, type ImapCommand } from '../session/types.js';
import { parseSetQuotaArgs } from '../wire/args/quota.js';
import { quotaResponse, rootAccount } from './quota-root.js';

export const setQuotaCmd: ImapCommand = {
  name: 'SETQUOTA',
  states: AUTHED,
  async run(s, req) {
    const { root, limits } = parseSetQuotaArgs(req.args);
    if (!(await isAdmin(s.ctx.store, s.accountId))) {
      s.log.info({ root: root.slice(0, 100) }, 'imap: SETQUOTA refused (not an administrator)');
      throw no('Only administrators may change quotas', 'NOPERM');
    }
    const account = await rootAccount(s, root);
    let quotaBytes = 0;
    for (const [name, limit] of limits) {
      if (name === 'STORAGE') {
        quotaBytes = limit * 1024;
        if (!Number.isSafeInteger(quotaBytes)) throw no('STORAGE limit is too large', 'LIMIT');
      } else if (name === 'MAILBOX') {
        const max = s.ctx.config.limits.mailboxes_per_account;
        if (limit !== max) throw no(`MAILBOX is ${max} for every account (limits.mailboxes_per_account in the configuration)`, 'CANNOT');
      } else throw no(`Resource ${name} is not limited on this server`, 'CANNOT');
    }
    const updated = await s.ctx.store.updateAccount(account.id, { quotaBytes }, { origin: s.id });
    s.log.info({ root: root.slice(0, 100), user: account.address, quota: quotaBytes }, 'imap: SETQUOTA');
    s.untagged(...(await quotaResponse(s, root, updated)));
    return ok('SETQUOTA completed');
  },
};
