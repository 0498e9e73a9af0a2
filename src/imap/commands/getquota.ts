/** GETQUOTA (RFC 9208 §4.1.1): the resources of one quota root (./quota-root.ts) */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseQuotaRootArg } from '../wire/args/quota.js';
import { quotaResponse, rootAccount } from './quota-root.js';

export const getQuotaCmd: ImapCommand = {
  name: 'GETQUOTA',
  states: AUTHED,
  async run(s, req) {
    const root = parseQuotaRootArg(req.args, req.name);
    const account = await rootAccount(s, root);
    s.untagged(...(await quotaResponse(s, root, account)));
  },
};
