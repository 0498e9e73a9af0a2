/** Peer address helpers shared by listeners, throttling and policy. */

/** "::ffff:192.0.2.1" → "192.0.2.1" so IPv4 clients on a dual-stack socket count as one address */
export function normaliseIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** the eight 16-bit groups of an IPv6 address, or null when it is not one */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.replace(/%.*$/, ''); // zone index
  if (!s.includes(':')) return null;
  // an embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) becomes two groups
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return null;
    s = s.slice(0, v4.index) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h === '' ? [] : h.split(':'));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail].map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  return groups.length === 8 && groups.every((g) => !Number.isNaN(g)) ? groups : null;
}

/**
 * The key per-client limits count under (connections per IP, failed logins, SMTP rates):
 * an IPv4 address as it is; an IPv6 address by its first `prefixLength` bits
 * (limits.ipv6_prefix_length, like Postfix's smtpd_client_ipv6_prefix_length), because one
 * customer gets a whole /64 and could otherwise take 2^64 fresh addresses past every limit.
 */
export function clientKey(ip: string | undefined, prefixLength = 64): string {
  const a = normaliseIp(ip);
  const groups = ipv6Groups(a);
  if (!groups) return a;
  const bits = Math.max(0, Math.min(128, Math.floor(prefixLength)));
  const masked = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${bits}`;
}
