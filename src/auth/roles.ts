/**
 * Administrators: accounts marked with `letterbox user admin <address>` may use the admin
 * console (/admin). The mark is a keyed-state entry of the account (removed with it).
 */
import type { AccountId, Store } from '../store/types.js';

export const ROLE_NS = 'auth.role';
const ADMIN = 'admin';

type KvStore = Pick<Store, 'kvGet' | 'kvSet' | 'kvDelete'>;

export async function isAdmin(store: KvStore, accountId: AccountId): Promise<boolean> {
  return (await store.kvGet(ROLE_NS, accountId, [ADMIN])).has(ADMIN);
}

export async function setAdmin(store: KvStore, accountId: AccountId, admin: boolean): Promise<void> {
  if (admin) await store.kvSet(ROLE_NS, accountId, [{ key: ADMIN, value: '1' }]);
  else await store.kvDelete(ROLE_NS, accountId, [ADMIN]);
}
