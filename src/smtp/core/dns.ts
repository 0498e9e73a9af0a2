/**
 * The DNS resolver used by SMTP: SPF/DKIM/DMARC/ARC verification (mailauth), MX lookups
 * for the outbound queue, MTA-STS, DNSBL. It has the shape of node's
 * `dns.promises.resolve(name, rrtype)` and of mailauth's `resolver` option, so one
 * function serves all of them.
 *
 * `dns.servers` in the configuration (e.g. ["127.0.0.1:5353"]) names the recursive
 * resolvers to ask; empty = the system's (/etc/resolv.conf). resolverFor(config) gives the
 * one resolver for a configuration; the `resolver` option of startSmtp / startQueueRunner
 * replaces it (tests with an in-process table). DANE's TLSA lookups need the AD bit and go
 * through ./dnssec.ts to the same servers.
 * Errors follow node's conventions: `code` ENOTFOUND (no such name) or ENODATA (name
 * exists, no record of that type) mean "nothing there"; anything else is temporary.
 */
import { promises as dns } from 'node:dns';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Config } from '../../config/schema.js';
import { aLabel } from '../../net/dns-name.js';

export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export interface MxRecord {
  exchange: string;
  priority: number;
}

/**
 * One query in flight per name and type: a burst of messages from one domain verifies the
 * same SPF and DMARC records at the same moment, and each delivery used to send its own
 * query (16 senders: 16 identical queries, each waiting its turn at the resolver and each
 * exposed to a lost packet and the resolver library's retry, a second or more). Callers
 * that ask while the query runs share its answer (each gets its own copy); nothing is kept
 * after it (the recursive resolver caches, by the records' TTLs).
 */
export function coalescing(resolver: DnsResolver): DnsResolver {
  const inflight = new Map<string, Promise<unknown[]>>();
  return (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${aLabel(name)}`;
    let p = inflight.get(key);
    if (!p) {
      p = resolver(name, rrtype).finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p.then((answer) => structuredClone(answer));
  };
}

// names are asked for in their A-label form: a U-label (IDN) query would go out as raw UTF-8 and never match
const systemResolver: DnsResolver = coalescing((name, rrtype) => dns.resolve(aLabel(name), rrtype) as Promise<unknown[]>);
const configured = new Map<string, DnsResolver>();

/** the resolver for `config.dns` (one per distinct server list, shared) */
export function resolverFor(config: Pick<Config, 'dns'>): DnsResolver {
  const { servers, timeout_ms: timeout } = config.dns;
  if (!servers.length) return systemResolver;
  const key = servers.join(',') + '/' + timeout;
  let r = configured.get(key);
  if (!r) {
    const resolver = new dns.Resolver({ timeout, tries: 2 });
    resolver.setServers(servers);
    r = coalescing((name, rrtype) => resolver.resolve(aLabel(name), rrtype) as Promise<unknown[]>);
    configured.set(key, r);
  }
  return r;
}

/** the servers `config.dns` names, as [host, port] (the system's when empty) */
export function dnsServers(config: Pick<Config, 'dns'>): Array<[string, number]> {
  const list = config.dns.servers.length ? config.dns.servers : dns.getServers();
  return list.map((s) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
    return m ? [m[1]!, m[2] ? Number(m[2]) : 53] : [s, 53];
  });
}

/** true when the error means "the name or record does not exist" (as opposed to a DNS failure) */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN';
}

/**
 * A resolver answering from a table, for tests and offline use:
 *   { 'example.test': { MX: [{ exchange: 'mx.example.test', priority: 10 }] }, 'mx.example.test': { A: ['127.0.0.1'] } }
 * Names not in the table give ENOTFOUND, missing types ENODATA. Names match in A-label form.
 */
export function tableResolver(table: Record<string, Record<string, unknown[]>>): DnsResolver {
  const lower = new Map(Object.entries(table).map(([k, v]) => [aLabel(k), v]));
  return async (name, rrtype) => {
    const entry = lower.get(aLabel(name));
    if (!entry) throw Object.assign(new Error(`DNS: ${name} not found`), { code: 'ENOTFOUND' });
    const records = entry[rrtype.toUpperCase()];
    if (!records || records.length === 0) throw Object.assign(new Error(`DNS: no ${rrtype} for ${name}`), { code: 'ENODATA' });
    return records;
  };
}

/**
 * /etc/hosts as the system's resolver library reads it before DNS (nsswitch `hosts: files
 * dns`), for the client-name lookups Postfix's smtpd makes with getnameinfo: 127.0.0.1 is
 * "localhost" without a query (RFC 6303 keeps 127.in-addr.arpa off the DNS anyway).
 * Read again when the file changes, which is looked at (a stat) at most once per
 * HOSTS_RECHECK_MS: inbound SMTP asks at every connection, and two stats per connection were
 * about 1.5% of the event loop with one message per connection. An unreadable file is an
 * empty one.
 */
const HOSTS_FILE = '/etc/hosts';
export const HOSTS_RECHECK_MS = 1000;

export interface HostsTable {
  /** names the file gives an address (empty: not listed there, ask DNS) */
  names(address: string): string[];
  /** addresses the file gives a name */
  addresses(name: string): string[];
}

/** a hosts file's table, read again when the file changed (checked at most once per `recheckMs` of `now`) */
export function hostsFile(file: string, recheckMs = HOSTS_RECHECK_MS, now: () => number = Date.now): HostsTable {
  let table: { mtimeMs: number; size: number; checkedAt: number; byAddress: Map<string, string[]>; byName: Map<string, string[]> } | null = null;
  const current = (): NonNullable<typeof table> => {
    const t = now();
    if (table && t - table.checkedAt < recheckMs && t >= table.checkedAt) return table;
    let mtimeMs = -1;
    let size = -1;
    try {
      const st = statSync(file);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch {
      // no file: empty table
    }
    if (table && table.mtimeMs === mtimeMs && table.size === size) {
      table.checkedAt = t;
      return table;
    }
    const byAddress = new Map<string, string[]>();
    const byName = new Map<string, string[]>();
    let text = '';
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      // empty
    }
    for (const line of text.split('\n')) {
      const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (!address || !names.length || !isIP(address)) continue;
      const a = byAddress.get(address) ?? [];
      for (const n of names) {
        const lower = n.toLowerCase().replace(/\.$/, '');
        a.push(lower);
        const b = byName.get(lower) ?? [];
        b.push(address);
        byName.set(lower, b);
      }
      byAddress.set(address, a);
    }
    return (table = { mtimeMs, size, checkedAt: t, byAddress, byName });
  };
  return {
    names: (address) => current().byAddress.get(address) ?? [],
    addresses: (name) => current().byName.get(name.toLowerCase().replace(/\.$/, '')) ?? [],
  };
}

const systemHosts = hostsFile(HOSTS_FILE);

/** names /etc/hosts gives an address (empty: not listed there, ask DNS) */
export function hostsFileNames(address: string): string[] {
  return systemHosts.names(address);
}

/** addresses /etc/hosts gives a name */
export function hostsFileAddresses(name: string): string[] {
  return systemHosts.addresses(name);
}
