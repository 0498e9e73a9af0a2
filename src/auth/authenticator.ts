/**
 * Password authentication shared by IMAP, POP3, SMTP, ManageSieve and the web pages (contract: ./types.ts).
 *
 * - Login names are full addresses, compared lower-cased.
 * - Hashes are argon2id PHC strings (@node-rs/argon2).
 * - An unknown user costs the same as a wrong password: we verify against a dummy hash,
 *   so response time does not reveal which addresses exist.
 * - Failures are counted per client address (IPv6 per prefix, limits.ipv6_prefix_length) and
 *   per login name *from that client* (./throttle.ts, counted in the store's keyed state, so
 *   every worker process and PostgreSQL node shares one budget), so an attacker cannot lock the owner
 *   out of their own account from another address; at the configured limit
 *   the answer is "throttled" without verifying, until the window has passed. The web login
 *   goes through here too, so one throttle covers IMAP, POP3, SMTP, ManageSieve and the web pages.
 * - App passwords (./app-passwords.ts) are accepted where the caller names its protocol and
 *   the app password allows it; a refused protocol is a failed login like a wrong password.
 * - Successful logins are recorded in the account's device list (./devices.ts) and every
 *   attempt is counted in ctx.metrics (ok / failed / throttled per protocol).
 */
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { isSharedOwner } from '../store/shared-owner.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Account, Store } from '../store/types.js';
import type { Authenticator, AuthResult, Credential, LoginOptions } from './types.js';
import type { Metrics } from '../metrics/types.js';
import { appPasswordCandidates, normaliseAppPassword } from './app-passwords.js';
import { createDeviceLog } from './devices.js';
import { createThrottle, type Clock } from './throttle.js';
import type { CounterStore } from '../store/rate.js';
import { createVerifiedCache } from './cache.js';
import { clientKey, normaliseIp } from '../net/address.js';

/** argon2id; memory 19 MiB, 2 passes, 1 lane (OWASP password storage recommendation) */
export const ARGON2_OPTIONS = {
  algorithm: 2 as Algorithm, // Algorithm.Argon2id (const enum)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

const MAX_LOGIN_CHARS = 320;
/** longer inputs are refused outright (no legitimate password is this long) */
const MAX_PASSWORD_BYTES = 4096;

export interface AuthenticatorOptions {
  /** injectable clock for the throttle (tests) */
  now?: Clock;
  metrics?: Metrics;
}

type AuthStore = Pick<Store, 'getAccount' | 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete'> & CounterStore;

export function createAuthenticator(store: AuthStore, config: Config, log: Logger, opts: AuthenticatorOptions = {}): Authenticator {
  const windowMs = config.limits.failed_login_window_s * 1000;
  const perIp = createThrottle(store, 'auth.failed.ip', config.limits.failed_logins_per_ip, windowMs, opts.now);
  const perAccount = createThrottle(store, 'auth.failed.account', config.limits.failed_logins_per_account, windowMs, opts.now);
  /** IPv6 clients count by their /limits.ipv6_prefix_length prefix */
  const clientOf = (ip: string) => clientKey(ip, config.limits.ipv6_prefix_length);
  /** the per-account counter is per account *and* client: guesses lock out the guesser, not the owner elsewhere */
  const accountKey = (user: string, client: string) => `${client} ${user}`;
  const alog = log.child({ component: 'auth' });
  const verified = createVerifiedCache(config.auth.cache_ttl_s * 1000, opts.now);
  const devices = createDeviceLog(store, opts.now);

  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS));
  // made ahead, so the first unknown-user login costs no more than later ones
  dummyHash().catch((err: Error) => alog.error({ err: err.message }, 'argon2 is not working: cannot hash passwords'));

  async function check(passwordHash: string, password: string, user: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch (err) {
      alog.error(
        { user, err: (err as Error).message },
        `stored password hash for ${user} is not a valid argon2 PHC string; reset it with "letterbox user passwd"`,
      );
      return false;
    }
  }

  async function failed(user: string, ip: string, why: string, lo: LoginOptions): Promise<AuthResult> {
    const client = clientOf(ip);
    const [ipCount, userCount] = await Promise.all([perIp.fail(client), perAccount.fail(accountKey(user, client))]).catch((err: Error) => {
      alog.error({ user, ip, err: err.message }, `failed-login counters could not be updated in the store: ${err.message}`);
      return [0, 0];
    });
    if (lo.protocol) opts.metrics?.login(lo.protocol, 'failed');
    alog.warn(
      { user, ip, reason: why, protocol: lo.protocol, failuresFromIp: ipCount, failuresForUser: userCount },
      `authentication failed for ${JSON.stringify(user)} from ${ip}: ${why}`,
    );
    return { ok: false, reason: 'invalid' };
  }

  /** an app password of the account matching the typed one: 'refused' when its protocols exclude this one */
  async function appPassword(account: Account, password: string, lo: LoginOptions): Promise<Credential | 'refused' | null> {
    const normalised = lo.protocol ? normaliseAppPassword(password) : null;
    if (!normalised) return null;
    for (const candidate of await appPasswordCandidates(store, account.id, normalised)) {
      const cacheKey = `${account.address}\0app:${candidate.id}`;
      const ok = verified.hit(cacheKey, candidate.hash, normalised) || (await check(candidate.hash, normalised, account.address));
      if (!ok) continue;
      verified.remember(cacheKey, candidate.hash, normalised);
      if (!candidate.protocols.includes(lo.protocol!)) return 'refused';
      return { kind: 'app', id: candidate.id, name: candidate.name };
    }
    return null;
  }

  async function succeed(account: Account, credential: Credential, ip: string, lo: LoginOptions, cached: boolean): Promise<AuthResult> {
    await perAccount.reset(accountKey(account.address, clientOf(ip))).catch((err: Error) =>
      alog.warn({ user: account.address, ip, err: err.message }, `could not reset the failed-login counter of ${account.address}: ${err.message}`),
    );
    if (lo.protocol) opts.metrics?.login(lo.protocol, 'ok');
    const how = credential.kind === 'app' ? `app password "${credential.name}"` : 'password';
    alog[cached ? 'debug' : 'info']({ user: account.address, ip, protocol: lo.protocol, credential: credential.kind, cached }, `authenticated ${account.address} from ${ip} (${how})`);
    let device: string | undefined;
    if (lo.protocol) {
      device = await devices.seen(account.id, { protocol: lo.protocol, ip, credential, client: lo.client }).catch((err: Error) => {
        alog.warn({ user: account.address, err: err.message }, `could not record the device for ${account.address}: ${err.message}`);
        return undefined;
      });
    }
    return { ok: true, account, credential, device };
  }

  return {
    async login(username, password, remoteIp, lo: LoginOptions = {}) {
      // no address is longer than 254 octets (RFC 5321 §4.5.3.1.3); longer names are cut for logs and counters
      const name = username.trim().toLowerCase();
      const user = name.slice(0, MAX_LOGIN_CHARS);
      const tooLong = name.length > MAX_LOGIN_CHARS;
      const ip = normaliseIp(remoteIp);
      const client = clientOf(ip);
      let ipThrottled: boolean;
      let userThrottled: boolean;
      try {
        [ipThrottled, userThrottled] = await Promise.all([perIp.isThrottled(client), perAccount.isThrottled(accountKey(user, client))]);
      } catch (err) {
        alog.error({ user, ip, err: (err as Error).message }, `failed-login counters could not be read from the store: ${(err as Error).message}`);
        return { ok: false, reason: 'temp' };
      }
      if (ipThrottled || userThrottled) {
        const which = ipThrottled ? `address ${client}` : `account ${JSON.stringify(user)} from ${client}`;
        if (lo.protocol) opts.metrics?.login(lo.protocol, 'throttled');
        alog.warn(
          { user, ip, reason: 'throttled', protocol: lo.protocol },
          `login refused for ${JSON.stringify(user)} from ${ip}: too many failed logins for ${which} ` +
            `within ${config.limits.failed_login_window_s}s (limits.failed_logins_per_ip / failed_logins_per_account)`,
        );
        return { ok: false, reason: 'throttled' };
      }
      if (user === '' || tooLong || password === '' || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
        await check(await dummyHash(), password.slice(0, 64), user);
        const why = user === '' ? 'empty login name' : tooLong ? 'login name too long' : 'empty or oversized password';
        return failed(user, ip, why, lo);
      }

      let account;
      try {
        account = await store.getAccount(user);
      } catch (err) {
        alog.error({ user, ip, err: (err as Error).message }, `authentication for ${user} could not read the store`);
        return { ok: false, reason: 'temp' };
      }
      if (!account) {
        await check(await dummyHash(), password, user);
        return failed(user, ip, 'no such account', lo);
      }
      if (isSharedOwner(account)) {
        // the owner of the domain's shared mailboxes is no login (src/store/shared-owner.ts)
        await check(await dummyHash(), password, user);
        return failed(user, ip, 'the shared-mailbox owner cannot log in', lo);
      }
      if (verified.hit(user, account.passwordHash, password)) return succeed(account, { kind: 'password' }, ip, lo, true);
      let app: Credential | 'refused' | null;
      try {
        app = await appPassword(account, password, lo);
      } catch (err) {
        alog.error({ user, ip, err: (err as Error).message }, `authentication for ${user} could not read its app passwords`);
        return { ok: false, reason: 'temp' };
      }
      if (app === 'refused') return failed(user, ip, `app password not allowed for ${lo.protocol}`, lo);
      if (app) return succeed(account, app, ip, lo, false);
      if (!(await check(account.passwordHash, password, user))) return failed(user, ip, 'wrong password', lo);
      verified.remember(user, account.passwordHash, password);
      return succeed(account, { kind: 'password' }, ip, lo, false);
    },
    identify: (accountId, device, client) =>
      devices.identify(accountId, device, client).catch((err: Error) => alog.warn({ err: err.message }, `could not update a device entry: ${err.message}`)),
    hashPassword: (password) => hash(password, ARGON2_OPTIONS),
  };
}
