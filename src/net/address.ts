/** Peer address helpers shared by listeners, throttling and policy. */

/** "::ffff:192.0.2.1" → "192.0.2.1" so IPv4 clients on a dual-stack socket count as one address */
export function normaliseIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export function isLoopback(ip: string): boolean {
  const a = normaliseIp(ip);
  return a === '::1' || a.startsWith('127.');
}
