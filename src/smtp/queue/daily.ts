/**
 * Daily reports (TLS-RPT, DMARC aggregate): `send(yesterday)` runs once per day per
 * namespace, remembered by a marker in the store's keyed state (several processes or
 * restarts do not send twice).
 */
import type { Store } from '../../store/types.js';

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export async function oncePerDay(store: Store, ns: string, now: Date, send: (day: string) => Promise<unknown>): Promise<void> {
  const day = dayOf(new Date(now.getTime() - 86400_000));
  const marker = `sent|${day}`;
  if ((await store.kvGet(ns, null, [marker])).size) return;
  await store.kvSet(ns, null, [{ key: marker, value: '1', expiresAt: new Date(now.getTime() + 8 * 86400_000) }], { durable: false });
  await send(day);
}
