/**
 * Failed-login throttling: failures are counted per key (an IP address, an account name)
 * over a sliding window, in the store (src/store/rate.ts), so every process and node of
 * the server shares the counts: a guesser cannot multiply its budget by spreading over
 * `serve --workers` or over PostgreSQL nodes. Once `limit` failures fall inside the window
 * the key is throttled: the caller answers "throttled" without checking the password, and
 * the attempt is not counted again, so the key is released as its failures age out.
 * Loopback gets no exemption.
 */
import { sharedCounter, type CounterStore } from '../store/rate.js';

export type Clock = () => number;

export interface Throttle {
  /** true when the key has reached the limit within the window */
  isThrottled(key: string): Promise<boolean>;
  /** records one failure; returns the number of failures now inside the window */
  fail(key: string): Promise<number>;
  /** forgets the key's failures (after a successful login) */
  reset(key: string): Promise<void>;
  /** failures currently inside the window */
  count(key: string): Promise<number>;
}

/** `ns` names the counter in the store's keyed state (e.g. "auth.fail.ip") */
export function createThrottle(store: CounterStore, ns: string, limit: number, windowMs: number, now: Clock = Date.now): Throttle {
  const c = sharedCounter(store, ns, windowMs, now);
  return {
    isThrottled: async (key) => (await c.count(key)) >= limit,
    fail: (key) => c.hit(key),
    reset: (key) => c.reset(key),
    count: (key) => c.count(key),
  };
}
