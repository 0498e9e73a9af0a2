/**
 * The end of a successful USER/PASS or AUTH: check the password (with throttling, in the
 * Authenticator), LOGIN-DELAY, take the maildrop lock ([IN-USE], RFC 2449 §8.1.1), snapshot
 * INBOX (RFC 1939 §6: the maildrop is fixed for the session) and enter TRANSACTION.
 */
import { credentialId } from '../../auth/devices.js';
import type { Pop3Session } from '../session/session.js';
import { StoreError } from '../../store/types.js';
import { err, ok } from '../wire/response.js';
import { Maildrop } from '../session/maildrop.js';
import { loginDelayRemaining, recordLogin, tryLockMaildrop } from '../session/lock.js';

export const PLAINTEXT_REFUSED =
  'Plaintext login is not allowed on an unencrypted connection; use STLS first, or connect to the POP3S port (995)';

export async function completeLogin(s: Pop3Session, username: string, password: string, via: string): Promise<void> {
  const { ctx, info } = s;
  const r = await ctx.auth.login(username, password, info.remoteAddress, { protocol: 'pop3' });
  if (!r.ok) {
    s.log.info({ user: username, reason: r.reason, via }, 'POP3 login failed');
    if (r.reason === 'invalid') await s.write(err('Authentication failed: wrong login name or password', 'AUTH'));
    else if (r.reason === 'throttled')
      await s.write(err('Too many failed logins; wait a few minutes before trying again', 'SYS/TEMP'));
    else await s.write(err('Authentication is temporarily unavailable; try again later', 'SYS/TEMP'));
    return;
  }
  const account = r.account;
  const wait = await loginDelayRemaining(ctx.store, account.id, ctx.config.pop3.login_delay_min).catch(() => 0);
  if (wait > 0) {
    s.log.info({ user: account.address }, 'POP3 login refused by LOGIN-DELAY');
    await s.write(
      err(`Logins are limited to one every ${ctx.config.pop3.login_delay_min} minutes; try again in ${Math.ceil(wait / 1000)} seconds`, 'LOGIN-DELAY'),
    );
    return;
  }
  let release: (() => Promise<void>) | null;
  try {
    release = await tryLockMaildrop(ctx.store, account.id);
  } catch (e) {
    s.log.error({ user: account.address, err: (e as Error).message }, 'POP3 could not take the maildrop lock; check the store');
    await s.write(err('Cannot open the mailbox right now; try again later', 'SYS/TEMP'));
    return;
  }
  if (!release) {
    s.log.info({ user: account.address }, 'POP3 login refused: another POP3 session holds the maildrop');
    await s.write(err('Another POP3 session is using this mailbox; try again when it has finished', 'IN-USE'));
    return;
  }
  let drop: Maildrop;
  try {
    const inbox = await ctx.store.getMailbox(account.id, 'INBOX');
    if (!inbox) throw new StoreError('NONEXISTENT', `account ${account.address} has no INBOX`);
    const entries = await ctx.store.pop3List(account.id);
    drop = new Maildrop(inbox, entries, ctx.config.pop3.uidl_format);
  } catch (e) {
    void release();
    s.log.error({ user: account.address, err: (e as Error).message }, 'POP3 could not open the maildrop; check the store');
    await s.write(err('Cannot open the mailbox right now; try again later', 'SYS/TEMP'));
    return;
  }
  if (s.isClosed) {
    void release();
    return;
  }
  s.login = { account, maildrop: drop, release };
  s.state = 'TRANSACTION';
  s.registration.authenticated(account, credentialId(r.credential));
  s.pendingUser = null;
  if (ctx.config.pop3.login_delay_min > 0)
    await recordLogin(ctx.store, account.id).catch((e: Error) =>
      s.log.warn({ user: account.address, err: e.message }, 'POP3 could not record the login time for LOGIN-DELAY'),
    );
  const st = drop.stat();
  s.log.info({ user: account.address, via, messages: st.count }, 'POP3 login');
  await s.write(ok(`Logged in, ${st.count} messages (${st.octets} octets)`));
}
