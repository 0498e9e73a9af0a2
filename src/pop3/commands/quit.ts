/**
 * QUIT (RFC 1939 §4 and §6). In AUTHORIZATION it just closes. In TRANSACTION it enters
 * UPDATE: the messages RETR sent get \Seen in one store update (Pop3Session.writeSeen; not
 * those about to be expunged), then the messages marked with DELE go to store.pop3Delete
 * under the account's policy (Account.pop3Policy, else pop3.delete_policy: retain / trash /
 * hide / expunge), in one store transaction. If that fails nothing was removed and the client hears -ERR [SYS/TEMP]
 * (RFC 1939 §6: "-ERR some deleted messages not removed").
 */
import type { Pop3Command } from './types.js';
import { err, ok } from '../wire/response.js';

export const quit: Pop3Command = {
  name: 'QUIT',
  states: ['AUTHORIZATION', 'TRANSACTION'],
  async run(s) {
    if (s.state === 'AUTHORIZATION' || !s.login) {
      await s.closeWith(ok('letterbox POP3 server signing off'));
      return;
    }
    s.state = 'UPDATE';
    const { account, maildrop } = s.login;
    const uids = maildrop.deletedUids();
    const policy = account.pop3Policy ?? s.ctx.config.pop3.delete_policy;
    await s.writeSeen(policy === 'expunge');
    try {
      if (uids.length > 0) {
        await s.ctx.store.pop3Delete(account.id, uids, policy, s.ctx.config.pop3.retention_days, { origin: s.origin });
      }
    } catch (e) {
      await s.login.release();
      s.log.error(
        { user: account.address, count: uids.length, policy, err: (e as Error).message },
        'POP3 QUIT could not apply deletions; the messages stay in INBOX',
      );
      await s.closeWith(err('Some deleted messages were not removed; they will be listed again at the next login', 'SYS/TEMP'));
      return;
    }
    await s.login.release();
    if (uids.length > 0) s.log.info({ user: account.address, count: uids.length, policy }, 'POP3 deletions applied');
    await s.closeWith(ok(`letterbox POP3 server signing off (${maildrop.count - uids.length} messages left)`));
  },
};
