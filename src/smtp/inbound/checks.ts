/**
 * Connection-time checks on port 25, each optional:
 *  - DNSBL (`smtp.dnsbl`, off by default): the client address looked up in each zone
 *    (RFC 5782: reversed octets/nibbles + zone, an A record in 127.0.0.0/8 = listed);
 *    a listed client is refused at connect with 554 5.7.1 naming the list.
 *  - early talkers (`smtp.greet_pause_ms`, off by default): the banner is held back that
 *    long; a client that talks first gets 421 (smtp-server's "You talk too soon").
 *  - greylisting (`smtp.greylisting`, off by default): the first delivery attempt of a
 *    (client /24 or /64, sender, recipient) triplet is answered 451 4.7.1; a retry after
 *    `greylist_delay_s` passes and the triplet is remembered 35 days. `greylist_allow`
 *    lists addresses, CIDR prefixes and sender domains that skip it.
 *  - reverse DNS and HELO (`smtp.rdns_checks`, on): no PTR, a PTR that does not resolve back,
 *    or a HELO that is not a fully qualified name add spam reasons (RDNS_NONE,
 *    RDNS_MISMATCH, HELO_NOT_FQDN) with a small score each; they send mail to Junk only
 *    together with other evidence (`smtp.rdns_junk_score`), never refuse it.
 */
import { isIP } from 'node:net';
import type { ServerContext } from '../../context.js';
import { hostsFileAddresses, hostsFileNames, type DnsResolver } from '../core/dns.js';
import type { Verdict } from '../../spam/verdict.js';

/** RFC 5782 §2.1/§2.4 query name of an address in a zone */
export function dnsblName(ip: string, zone: string): string | null {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.${zone}`;
  if (isIP(ip) === 6) {
    const parts = ip.split('::');
    const head = parts[0] ? parts[0].split(':') : [];
    const tail = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
    const groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail].map((g) => g.padStart(4, '0'));
    return `${groups.join('').split('').reverse().join('.')}.${zone}`;
  }
  return null;
}

/** the first zone listing `ip`, or null */
export async function dnsblListed(ip: string, zones: string[], resolver: DnsResolver): Promise<string | null> {
  const hits = await Promise.all(
    zones.map(async (zone) => {
      const name = dnsblName(ip, zone);
      if (!name) return null;
      try {
        const a = (await resolver(name, 'A')) as string[];
        return a.some((x) => x.startsWith('127.')) ? zone : null;
      } catch {
        return null; // not listed, or the list is unreachable: never refuse on a lookup failure
      }
    }),
  );
  return hits.find((h) => h) ?? null;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (!base || isIP(base) !== isIP(ip)) return false;
  if (bitsText === undefined) return base === ip;
  const bits = Number(bitsText);
  const toBits = (a: string) =>
    isIP(a) === 4
      ? a.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('')
      : dnsblName(a, 'x')!.slice(0, -2).split('.').reverse().map((n) => parseInt(n, 16).toString(2).padStart(4, '0')).join('');
  return toBits(ip).slice(0, bits) === toBits(base).slice(0, bits);
}

/** greylisting: true = let it through, false = answer 451 now */
export async function greylistPasses(ctx: ServerContext, ip: string, sender: string, rcpt: string, now: Date): Promise<boolean> {
  const cfg = ctx.config.smtp;
  const senderDomain = sender.slice(sender.lastIndexOf('@') + 1).toLowerCase();
  if (cfg.greylist_allow.some((a) => (a.includes('/') || isIP(a) ? inCidr(ip, a) : senderDomain === a.toLowerCase() || senderDomain.endsWith('.' + a.toLowerCase())))) return true;
  // the network, not the address: big senders retry from another host of the same pool
  const net = isIP(ip) === 4 ? ip.split('.').slice(0, 3).join('.') : (dnsblName(ip, 'x') ?? ip).split('.').reverse().slice(1, 17).join('');
  const key = `${net}|${sender.toLowerCase()}|${rcpt.toLowerCase()}`;
  const got = (await ctx.store.kvGet('greylist', null, [key])).get(key);
  const t = now.getTime();
  if (got) {
    const first = Number(got.value);
    if (first === 0 || t - first >= cfg.greylist_delay_s * 1000) {
      if (first !== 0) await ctx.store.kvSet('greylist', null, [{ key, value: '0', expiresAt: new Date(t + 35 * 86400_000) }], { durable: false });
      return true;
    }
    return false;
  }
  await ctx.store.kvSet('greylist', null, [{ key, value: String(t), expiresAt: new Date(t + 86400_000) }], { durable: false });
  return false;
}

/** HELO finding: the name a client gave is not a fully qualified domain name */
export function heloFindings(helo: string): string[] {
  const name = helo.replace(/^\[.*\]$/, '');
  return !name || !/^[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i.test(name) ? ['HELO_NOT_FQDN'] : [];
}

/**
 * Reverse DNS findings for a client address (spam reasons, never a refusal): no PTR, or no
 * PTR name that resolves back to the address. Started when the client connects, so the
 * lookups run while the client talks and DATA does not wait for them (Postfix's smtpd
 * looks the client up at connect too). `hostsFile`: consult /etc/hosts first, as the
 * system's resolver library does (only with the system's DNS, not with `dns.servers`).
 */
export async function ptrFindings(ip: string, resolver: DnsResolver, hostsFile: boolean): Promise<string[]> {
  const ptrName = isIP(ip) === 4 ? `${ip.split('.').reverse().join('.')}.in-addr.arpa` : isIP(ip) === 6 ? dnsblName(ip, 'ip6.arpa') : null;
  if (!ptrName) return [];
  const listed = hostsFile ? hostsFileNames(ip) : [];
  if (listed.length) return listed.some((n) => hostsFileAddresses(n).includes(ip)) ? [] : ['RDNS_MISMATCH'];
  let ptrs: string[] = [];
  try {
    ptrs = (await resolver(ptrName, 'PTR')) as string[];
  } catch {
    // no PTR
  }
  if (!ptrs.length) return ['RDNS_NONE'];
  // forward-confirmed: one of the names resolves back to the address
  for (const p of ptrs.slice(0, 3)) {
    try {
      const back = (await resolver(p, isIP(ip) === 4 ? 'A' : 'AAAA')) as string[];
      if (back.includes(ip)) return [];
    } catch {
      // try the next name
    }
  }
  return ['RDNS_MISMATCH'];
}

/** what the findings contribute to the spam verdict */
export function rdnsVerdict(reasons: string[], junkScore: number): Verdict | undefined {
  if (!reasons.length) return undefined;
  const score = reasons.length;
  return { junk: score >= junkScore, spamScore: score, spamThreshold: junkScore, reasons };
}
