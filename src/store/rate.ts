/**
 * Event counts over a sliding window, shared by every process and node on the store (SMTP
 * rate limits, failed-login throttling), kept in the keyed state (kv-types.ts) with its
 * atomic kvAdd. The window is cut into BUCKETS slices: an event adds one to its slice's
 * entry ("<slice>:<key>", server-wide, expiring once the window has passed it), and the
 * count is the sum of the slices that still reach into the window, read in one kvGet. So
 * the count is exact up to one slice: an event leaves the count at most windowMs / BUCKETS
 * after it left the window, never before.
 */
import type { Store } from './types.js';

export type CounterStore = Pick<Store, 'kvGet' | 'kvAdd' | 'kvDelete'>;

export const BUCKETS = 60;

export interface SharedCounter {
  /** events of `key` within the last window */
  count(key: string): Promise<number>;
  /** records one event; returns the count including it */
  hit(key: string): Promise<number>;
  /** records one event, reading nothing back (one write instead of a write and a read) */
  add(key: string): Promise<void>;
  /** forgets the key's events */
  reset(key: string): Promise<void>;
}

/** keys whose settled slices a counter remembers (SETTLED) at most; past it the memory starts again empty */
const MAX_SETTLED = 10_000;

/**
 * `settled`: remember, per key, the sum of the slices that no event is added to any more (all
 * but the current and the one before it) for as long as the current slice lasts, so a count
 * reads two entries instead of BUCKETS + 1 (SMTP counts a sender's address at every MAIL
 * FROM: 60 entries cost more than the rest of the command). The slice before the current one
 * is read again every time: an event counted just before a slice ended may commit just after.
 * Only for counters that are never reset (a reset by another process would go unseen until
 * the slice ends).
 */
export function sharedCounter(store: CounterStore, ns: string, windowMs: number, now: () => number = Date.now, opts: { settled?: boolean } = {}): SharedCounter {
  const slice = windowMs / BUCKETS;
  const settled = opts.settled ? new Map<string, { slice: number; sum: number }>() : null;
  /** entry names of the slices still inside the window at time t, newest first */
  const live = (t: number, key: string) => {
    const cur = Math.floor(t / slice);
    const name = key.replace(/\0/g, '\u2400'); // PostgreSQL text holds no NUL (a login name typed with one)
    const out: string[] = [];
    for (let b = cur; (b + 1) * slice > t - windowMs; b--) out.push(`${b}:${name}`);
    return out;
  };
  const sum = async (names: string[]) => {
    let n = 0;
    for (const e of (await store.kvGet(ns, null, names)).values()) n += Number(e.value) || 0;
    return n;
  };
  const count = async (t: number, key: string) => {
    const names = live(t, key);
    if (!settled) return sum(names);
    const cur = Math.floor(t / slice);
    const known = settled.get(key);
    if (known?.slice === cur) return known.sum + (await sum(names.slice(0, 2)));
    const [fresh, old] = await Promise.all([sum(names.slice(0, 2)), sum(names.slice(2))]);
    if (settled.size >= MAX_SETTLED) settled.clear();
    settled.set(key, { slice: cur, sum: old });
    return fresh + old;
  };
  const add = async (t: number, key: string) => {
    // the expiry only lets the hourly purge drop passed slices: from the real clock, whatever `now` says
    await store.kvAdd(ns, null, live(t, key)[0]!, 1, { expiresAt: new Date(Date.now() + windowMs + slice), durable: false });
  };
  return {
    count: (key) => count(now(), key),
    async hit(key) {
      const t = now();
      await add(t, key);
      return count(t, key);
    },
    add: (key) => add(now(), key),
    async reset(key) {
      settled?.delete(key);
      await store.kvDelete(ns, null, live(now(), key));
    },
  };
}
