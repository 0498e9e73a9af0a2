/**
 * Browser sign-ins. The cookie holds "<account id>.<random token>"; the account's keyed state
 * holds only the token's SHA-256 (namespace web.session), so a copy of the store gives no
 * usable session. Each sign-in has its own CSRF token. A sign-in expires after
 * web.session_hours without use (the expiry moves forward as it is used), ends on sign-out,
 * and ends with every other sign-in of the account when its password changes. Removing the
 * account removes them all.
 *
 * Cookies are HttpOnly, Secure and SameSite=Strict. Browsers keep Secure cookies only over
 * HTTPS (and on localhost), which is why signing in needs TLS (see ./pages/login.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountId, Store } from '../../store/types.js';

export const SESSION_NS = 'web.session';
export const SESSION_COOKIE = 'lb_session';
/** anonymous forms (sign-in) use a double-submit token in this cookie */
export const PRE_COOKIE = 'lb_form';

type KvStore = Pick<Store, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete'>;

interface Stored {
  csrf: string;
  credential: string;
  ip: string;
  client: string | null;
  createdAt: string;
}

export interface WebSession {
  accountId: AccountId;
  key: string;
  csrf: string;
  credential: string;
}

const sha = (token: string) => createHash('sha256').update(token).digest('hex');
export const randomToken = (): string => randomBytes(24).toString('base64url');

/** constant-time comparison of two tokens */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export async function createWebSession(
  store: KvStore,
  accountId: AccountId,
  info: { credential: string; ip: string; client: string | null },
  hours: number,
): Promise<{ cookie: string; session: WebSession }> {
  const token = randomToken();
  const key = sha(token);
  const csrf = randomToken();
  const value: Stored = { csrf, credential: info.credential, ip: info.ip, client: info.client, createdAt: new Date().toISOString() };
  await store.kvSet(SESSION_NS, accountId, [{ key, value: JSON.stringify(value), expiresAt: new Date(Date.now() + hours * 3600_000) }]);
  return { cookie: `${accountId}.${token}`, session: { accountId, key, csrf, credential: info.credential } };
}

/** the sign-in a cookie names, or null; moves its expiry forward when half of it has passed */
export async function readWebSession(store: KvStore, cookie: string | undefined, hours: number): Promise<WebSession | null> {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{32})$/.exec(cookie ?? '');
  if (!m) return null;
  const accountId = Number(m[1]);
  const key = sha(m[2]!);
  let entry;
  try {
    entry = (await store.kvGet(SESSION_NS, accountId, [key])).get(key);
  } catch {
    return null; // e.g. the account no longer exists
  }
  if (!entry) return null;
  let v: Stored;
  try {
    v = JSON.parse(entry.value) as Stored;
  } catch {
    return null;
  }
  const lifetime = hours * 3600_000;
  if (entry.expiresAt && entry.expiresAt.getTime() - Date.now() < lifetime / 2) {
    await store.kvSet(SESSION_NS, accountId, [{ key, value: entry.value, expiresAt: new Date(Date.now() + lifetime) }], { durable: false }).catch(() => undefined);
  }
  return { accountId, key, csrf: v.csrf, credential: v.credential };
}

export async function endWebSession(store: KvStore, accountId: AccountId, key: string): Promise<void> {
  await store.kvDelete(SESSION_NS, accountId, [key]);
}

/** ends every sign-in of the account but `exceptKey`; returns how many ended */
export async function endOtherWebSessions(store: KvStore, accountId: AccountId, exceptKey: string | null): Promise<number> {
  const keys = (await store.kvList(SESSION_NS, accountId)).map((e) => e.key).filter((k) => k !== exceptKey);
  return keys.length ? store.kvDelete(SESSION_NS, accountId, keys) : 0;
}

/** ends the account's sign-ins made with this credential from this address (a device signed out), but `exceptKey` */
export async function endWebSessionsOf(store: KvStore, accountId: AccountId, credential: string, ip: string, exceptKey: string): Promise<number> {
  const keys = (await store.kvList(SESSION_NS, accountId))
    .filter((e) => {
      try {
        const v = JSON.parse(e.value) as Stored;
        return e.key !== exceptKey && v.credential === credential && v.ip === ip;
      } catch {
        return false;
      }
    })
    .map((e) => e.key);
  return keys.length ? store.kvDelete(SESSION_NS, accountId, keys) : 0;
}
