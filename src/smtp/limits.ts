/**
 * In-process counters for the SMTP limits (config.limits): open connections per IP, messages
 * per IP per minute (port 25) and messages per account per hour (submission). Counters live
 * in memory: they reset on restart, which is acceptable for abuse limits.
 */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();
  constructor(private readonly max: number) {}
  /** returns false (and counts nothing) when the address is at its limit */
  acquire(ip: string): boolean {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.open.set(ip, n + 1);
    return true;
  }
  release(ip: string): void {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
  }
}

/** sliding-window event counter: at most `max` events per key within `windowMs` */
export class RateWindow<K> {
  private readonly events = new Map<K, number[]>();
  private opsSinceSweep = 0;
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}
  private recent(key: K): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.events.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.events.set(key, list);
    else this.events.delete(key);
    return list;
  }
  /** true while under the limit (does not count) */
  allowed(key: K): boolean {
    return this.recent(key).length < this.max;
  }
  /** keys tracked (tests, metrics) */
  get size(): number {
    return this.events.size;
  }
  /** every 1000 records, forget keys whose events all left the window: one-off senders do not pile up forever */
  private sweep(): void {
    if (++this.opsSinceSweep < 1000) return;
    this.opsSinceSweep = 0;
    for (const key of [...this.events.keys()]) this.recent(key);
  }
  record(key: K): void {
    this.sweep();
    const list = this.recent(key);
    list.push(this.now());
    this.events.set(key, list);
  }
}
