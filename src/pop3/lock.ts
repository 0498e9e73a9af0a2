/**
 * Per-account maildrop lock (RFC 1939 §8: the server acquires an exclusive-access lock on the
 * maildrop; RFC 2449 §8.1.1 [IN-USE] when it cannot). In-process, keyed by the store object
 * so independent stores (tests) never share locks. A multi-node deployment (PostgreSQL,
 * later) needs a store-level lock instead.
 *
 * Also the last successful login per account, for LOGIN-DELAY (RFC 2449 §6.5).
 */
import type { AccountId, Store } from '../store/types.js';

const locks = new WeakMap<Store, Set<AccountId>>();
const lastLogins = new WeakMap<Store, Map<AccountId, number>>();

/** returns a release function, or null when another session holds the account */
export function tryLockMaildrop(store: Store, accountId: AccountId): (() => void) | null {
  let held = locks.get(store);
  if (!held) locks.set(store, (held = new Set()));
  if (held.has(accountId)) return null;
  held.add(accountId);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(accountId);
  };
}

/** milliseconds to wait before the next login is allowed (0 = allowed now); records nothing */
export function loginDelayRemaining(store: Store, accountId: AccountId, delayMin: number, now = Date.now()): number {
  if (delayMin <= 0) return 0;
  const last = lastLogins.get(store)?.get(accountId);
  if (last === undefined) return 0;
  return Math.max(0, last + delayMin * 60_000 - now);
}

export function recordLogin(store: Store, accountId: AccountId, now = Date.now()): void {
  let m = lastLogins.get(store);
  if (!m) lastLogins.set(store, (m = new Map()));
  m.set(accountId, now);
}
