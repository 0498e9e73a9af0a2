/**
 * Where to deliver mail for a domain (RFC 5321 §5.1): its MX hosts by preference, or the
 * domain itself when it has no MX but has an address (implicit MX). A "null MX"
 * (RFC 7505: one MX with exchange ".") means the domain accepts no mail. A smarthost
 * (config.smtp.relay_host "host:port") replaces the lookup.
 */
import { isIP } from 'node:net';
import { isNotFound, type DnsResolver, type MxRecord } from '../core/dns.js';

export type Route =
  | { ok: true; hosts: Array<{ host: string; port?: number }> }
  | { ok: false; permanent: boolean; status: string; reason: string };

export async function routeFor(domain: string, resolver: DnsResolver, relayHost: string): Promise<Route> {
  if (relayHost) {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(relayHost.trim());
    if (!m) return { ok: false, permanent: false, status: '4.3.5', reason: `bad smtp.relay_host "${relayHost}"` };
    return { ok: true, hosts: [{ host: m[1]!, port: m[2] ? Number(m[2]) : undefined }] };
  }
  const literal = /^\[(.+)\]$/.exec(domain); // address literal: user@[192.0.2.1]
  if (literal) return { ok: true, hosts: [{ host: literal[1]!.replace(/^ipv6:/i, '') }] };
  let mx: MxRecord[];
  try {
    mx = (await resolver(domain, 'MX')) as MxRecord[];
  } catch (err) {
    if (!isNotFound(err)) return { ok: false, permanent: false, status: '4.4.3', reason: `DNS lookup of MX for ${domain} failed: ${(err as Error).message}` };
    // RFC 5321 §5.1: no MX → the domain itself is the implicit MX if it has an address
    if ((await addressesOf(domain, resolver)).length) return { ok: true, hosts: [{ host: domain }] };
    return { ok: false, permanent: true, status: '5.1.2', reason: `domain ${domain} has no MX and no address records` };
  }
  const valid = mx.filter((r) => r && typeof r.exchange === 'string');
  if (valid.length === 1 && (valid[0]!.exchange === '' || valid[0]!.exchange === '.'))
    return { ok: false, permanent: true, status: '5.1.10', reason: `domain ${domain} accepts no mail (null MX, RFC 7505)` };
  const hosts = valid
    .filter((r) => r.exchange !== '' && r.exchange !== '.')
    .sort((a, b) => a.priority - b.priority)
    .map((r) => ({ host: r.exchange.replace(/\.$/, '') }));
  if (!hosts.length) return { ok: false, permanent: true, status: '5.1.2', reason: `domain ${domain} has no usable MX` };
  return { ok: true, hosts };
}

/** A then AAAA addresses of a host (IP literals pass through); empty when none */
export async function addressesOf(host: string, resolver: DnsResolver): Promise<string[]> {
  if (isIP(host)) return [host];
  const out: string[] = [];
  for (const type of ['A', 'AAAA']) {
    try {
      out.push(...((await resolver(host, type)) as string[]));
    } catch {
      // no records of this type, or a DNS failure: try the other type
    }
  }
  return out;
}
