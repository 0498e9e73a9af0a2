/**
 * Per-account maildrop lock (RFC 1939 §8: the server acquires an exclusive-access lock on the
 * maildrop; RFC 2449 §8.1.1 [IN-USE] when it cannot), held in the store as a lease
 * (src/store/lease-types.ts), so it is exclusive across every process and node on the
 * store. The lease lasts LEASE_MS and is renewed while the session lives; a process that
 * dies releases it when it runs out, or at once when a login on the same host finds that
 * the holder's process is gone (its holder string, kept beside the lease in the keyed
 * state, names host and pid): after `kill -9` and a restart, POP3 clients are not told
 * [IN-USE] for a minute by a session that no longer exists.
 *
 * Also the last successful login per account, for LOGIN-DELAY (RFC 2449 §6.5), in the
 * store's keyed state, so the delay holds whichever node the client reaches.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AccountId, Store } from '../../store/types.js';

export const LEASE_MS = 60_000;
const RENEW_MS = LEASE_MS / 3;
const LOGIN_NS = 'pop3.login';
/** server-wide: key = account id, value = the holder string of the maildrop lease */
const HOLDER_NS = 'pop3.lock';
const HOLDER_TTL_MS = 24 * 3600_000;

/** a holder string names the host and process that holds the lease */
export function lockHolder(pid = process.pid, host = hostname()): string {
  return `${host}:${pid}:${randomBytes(8).toString('hex')}`;
}

/** true only when `holder` was taken on this host by a process that has exited */
export function holderIsGone(holder: string, host = hostname()): boolean {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(holder);
  if (!m || m[1] !== host) return false;
  const pid = Number(m[2]);
  if (pid === process.pid || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** resolves with a release function (resolving once the lease is given back), or null when another session holds the account */
export async function tryLockMaildrop(
  store: Pick<Store, 'acquireLease' | 'releaseLease' | 'kvGet' | 'kvSet'>,
  accountId: AccountId,
): Promise<(() => Promise<void>) | null> {
  const name = `pop3:${accountId}`;
  const key = String(accountId);
  const holder = lockHolder();
  if (!(await store.acquireLease(name, holder, LEASE_MS))) {
    const prev = (await store.kvGet(HOLDER_NS, null, [key])).get(key)?.value;
    if (!prev || !holderIsGone(prev)) return null;
    await store.releaseLease(name, prev); // a dead process's lease: only that holder's, so a live successor is never freed
    if (!(await store.acquireLease(name, holder, LEASE_MS))) return null;
  }
  await store.kvSet(HOLDER_NS, null, [{ key, value: holder, expiresAt: new Date(Date.now() + HOLDER_TTL_MS) }], { durable: false }).catch(() => undefined); // bookkeeping only: without it a dead holder's lease just runs out
  let released = false;
  const timer = setInterval(() => {
    store.acquireLease(name, holder, LEASE_MS).catch(() => undefined); // a store hiccup: the next renewal tries again
  }, RENEW_MS);
  timer.unref();
  let done: Promise<void> = Promise.resolve();
  return () => {
    if (released) return done;
    released = true;
    clearInterval(timer);
    done = store.releaseLease(name, holder).then(
      () => undefined,
      () => undefined, // unreleased, it runs out by itself
    );
    return done;
  };
}

/** milliseconds to wait before the next login is allowed (0 = allowed now); records nothing */
export async function loginDelayRemaining(
  store: Pick<Store, 'kvGet'>,
  accountId: AccountId,
  delayMin: number,
  now = Date.now(),
): Promise<number> {
  if (delayMin <= 0) return 0;
  const last = (await store.kvGet(LOGIN_NS, accountId, ['last'])).get('last');
  if (!last) return 0;
  return Math.max(0, Number(last.value) + delayMin * 60_000 - now);
}

export async function recordLogin(store: Pick<Store, 'kvSet'>, accountId: AccountId, now = Date.now()): Promise<void> {
  await store.kvSet(LOGIN_NS, accountId, [{ key: 'last', value: String(now) }], { durable: false });
}
