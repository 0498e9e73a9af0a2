/**
 * Failed-login throttling: failures are counted per key (an IP address, an account name)
 * within a sliding window. Once `limit` failures fall inside the window the key is
 * throttled: the caller answers "throttled" without checking the password, and the
 * attempt is not counted again, so the key is released when its oldest failure ages out.
 * Loopback gets no exemption.
 */
export type Clock = () => number;

export interface Throttle {
  /** true when the key has reached the limit within the window */
  isThrottled(key: string): boolean;
  /** records one failure; returns the number of failures now inside the window */
  fail(key: string): number;
  /** forgets the key's failures (after a successful login) */
  reset(key: string): void;
  /** failures currently inside the window */
  count(key: string): number;
  /** number of keys tracked (for tests and metrics) */
  readonly size: number;
}

export function createThrottle(limit: number, windowMs: number, now: Clock = Date.now): Throttle {
  /** failure timestamps per key, oldest first; never more than `limit` entries */
  const failures = new Map<string, number[]>();
  let opsSinceSweep = 0;

  function live(key: string): number[] {
    const list = failures.get(key);
    if (!list) return [];
    const cutoff = now() - windowMs;
    while (list.length > 0 && list[0]! <= cutoff) list.shift();
    if (list.length === 0) failures.delete(key);
    return list;
  }

  /** drops expired keys now and then so a scan across many IPs cannot grow the map forever */
  function sweep(): void {
    if (++opsSinceSweep < 1000) return;
    opsSinceSweep = 0;
    for (const key of [...failures.keys()]) live(key);
  }

  return {
    isThrottled: (key) => live(key).length >= limit,
    fail(key) {
      sweep();
      const list = live(key);
      list.push(now());
      while (list.length > limit) list.shift();
      failures.set(key, list);
      return list.length;
    },
    reset(key) {
      failures.delete(key);
    },
    count: (key) => live(key).length,
    get size() {
      return failures.size;
    },
  };
}
