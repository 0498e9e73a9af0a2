/**
 * Per-account maildrop lock (RFC 1939 §8: the server acquires an exclusive-access lock on the
 * maildrop; RFC 2449 §8.1.1 [IN-USE] when it cannot), held in the store as a lease
 * (src/store/lease-types.ts), so it is exclusive across every process and node on the
 * store. The lease lasts LEASE_MS and is renewed while the session lives; a process that
 * dies releases it when it runs out.
 *
 * Also the last successful login per account, for LOGIN-DELAY (RFC 2449 §6.5), in the
 * store's keyed state, so the delay holds whichever node the client reaches.
 */
import { randomBytes } from 'node:crypto';
import type { AccountId, Store } from '../../store/types.js';

export const LEASE_MS = 60_000;
const RENEW_MS = LEASE_MS / 3;
const LOGIN_NS = 'pop3.login';

/** resolves with a release function (resolving once the lease is given back), or null when another session holds the account */
export async function tryLockMaildrop(
  store: Pick<Store, 'acquireLease' | 'releaseLease'>,
  accountId: AccountId,
): Promise<(() => Promise<void>) | null> {
  const name = `pop3:${accountId}`;
  const holder = `${process.pid}-${randomBytes(8).toString('hex')}`;
  if (!(await store.acquireLease(name, holder, LEASE_MS))) return null;
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
