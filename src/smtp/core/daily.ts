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
  // one atomic add claims the day: of several processes on the store (serve --workers, nodes) exactly one sends
  if ((await store.kvAdd(ns, null, marker, 1, { expiresAt: new Date(now.getTime() + 8 * 86400_000), durable: false })) !== 1) return;
  await send(day);
}
