/**
 * The DNS resolver used by SMTP: SPF/DKIM/DMARC verification (mailauth) and MX lookups for
 * the outbound queue. It has the shape of node's `dns.promises.resolve(name, rrtype)` and
 * of mailauth's `resolver` option, so one function serves both.
 *
 * Tests (and offline setups) replace it, either per server/runner (the `resolver` option
 * of startSmtp / startQueueRunner) or process-wide with setResolver().
 * Errors follow node's conventions: `code` ENOTFOUND (no such name) or ENODATA (name
 * exists, no record of that type) mean "nothing there"; anything else is temporary.
 */
import { promises as dns } from 'node:dns';

export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export interface MxRecord {
  exchange: string;
  priority: number;
}

const systemResolver: DnsResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<unknown[]>;
let current: DnsResolver = systemResolver;

/** replaces the process-wide resolver; null restores the system resolver */
export function setResolver(resolver: DnsResolver | null): void {
  current = resolver ?? systemResolver;
}

export function getResolver(): DnsResolver {
  return current;
}

/** true when the error means "the name or record does not exist" (as opposed to a DNS failure) */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN';
}

/**
 * A resolver answering from a table, for tests and offline use:
 *   { 'example.test': { MX: [{ exchange: 'mx.example.test', priority: 10 }] }, 'mx.example.test': { A: ['127.0.0.1'] } }
 * Names not in the table give ENOTFOUND, missing types ENODATA.
 */
export function tableResolver(table: Record<string, Record<string, unknown[]>>): DnsResolver {
  const lower = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  return async (name, rrtype) => {
    const entry = lower.get(name.toLowerCase().replace(/\.$/, ''));
    if (!entry) throw Object.assign(new Error(`DNS: ${name} not found`), { code: 'ENOTFOUND' });
    const records = entry[rrtype.toUpperCase()];
    if (!records || records.length === 0) throw Object.assign(new Error(`DNS: no ${rrtype} for ${name}`), { code: 'ENODATA' });
    return records;
  };
}
