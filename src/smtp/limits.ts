/**
 * Open SMTP connections per IP (config.limits.connections_per_ip), counted per process.
 * The message rate limits (per IP per minute on port 25, per account per hour on
 * submission) are shared by every process through the store: src/store/rate.ts.
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
