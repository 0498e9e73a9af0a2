/**
 * MTA-STS (RFC 8461) for outbound delivery: the destination domain's `_mta-sts` TXT record
 * names a policy id; the policy is fetched over HTTPS from
 * https://mta-sts.<domain>/.well-known/mta-sts.txt (certificate verified, no redirects,
 * at most 64 KiB, text/plain) and cached in the store's keyed state (server-wide namespace
 * "mta-sts") for its max_age. A cached policy stays in force while it is unexpired even
 * when DNS or HTTPS fail (§5.1), so an attacker who blocks the lookup cannot downgrade it.
 * Parsing and MX matching are mailauth's.
 */
import { request } from 'node:https';
import { aLabel } from '../../net/dns-name.js';
// mailauth ships these as a separate module without an export map entry for types
import { parsePolicy, resolvePolicy, validateMx } from 'mailauth/lib/mta-sts.js';
import type { Store } from '../../store/types.js';
import type { DnsResolver } from '../core/dns.js';

export interface StsPolicy {
  id: string;
  mode: 'enforce' | 'testing' | 'none';
  mx: string[];
  maxAge: number;
}

export interface StsOptions {
  /** HTTPS port of the policy host (443; tests use others) */
  port?: number;
  /** CAs to trust instead of the system's (tests) */
  ca?: string[];
  timeoutMs?: number;
}

export type StsLookup = { policy: StsPolicy | null; error?: string };

const NS = 'mta-sts';
const MAX_POLICY = 64 * 1024;

function fetchPolicyText(domain: string, resolver: DnsResolver, opts: StsOptions): Promise<string> {
  const host = `mta-sts.${domain}`;
  return (async () => {
    let addr: string[] = [];
    for (const type of ['A', 'AAAA']) {
      try {
        addr = (await resolver(host, type)) as string[];
      } catch {
        // try the other type
      }
      if (addr.length) break;
    }
    if (!addr.length) throw new Error(`${host} has no address`);
    return new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: addr[0],
          port: opts.port ?? 443,
          servername: host,
          path: '/.well-known/mta-sts.txt',
          method: 'GET',
          headers: { host },
          rejectUnauthorized: true,
          ...(opts.ca ? { ca: opts.ca } : {}),
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          // RFC 8461 §3.3: redirects are not followed; only 200 counts
          if (res.statusCode !== 200) {
            res.resume();
            return reject(new Error(`https://${host}/.well-known/mta-sts.txt answered HTTP ${res.statusCode}`));
          }
          if (!/^text\/plain\b/i.test(res.headers['content-type'] ?? '')) {
            res.resume();
            return reject(new Error(`https://${host}/.well-known/mta-sts.txt is not text/plain`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_POLICY) req.destroy(new Error(`the MTA-STS policy of ${domain} is larger than 64 KiB`));
            else chunks.push(c);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`https://${host}/.well-known/mta-sts.txt did not answer in time`)));
      req.on('error', reject);
      req.end();
    });
  })();
}

interface Cached {
  policy: StsPolicy;
  expires: number;
}

async function cached(store: Store, domain: string, now: Date): Promise<Cached | null> {
  const e = (await store.kvGet(NS, null, [domain])).get(domain);
  if (!e) return null;
  try {
    const c = JSON.parse(e.value) as Cached;
    return c.expires > now.getTime() ? c : null;
  } catch {
    return null;
  }
}

/** the policy in force for `domain` (null = none: opportunistic TLS), with what went wrong if anything */
export async function stsPolicy(store: Store, domain: string, resolver: DnsResolver, now: Date, opts: StsOptions = {}): Promise<StsLookup> {
  domain = aLabel(domain); // _mta-sts TXT, the policy host's name, SNI and Host header: A-labels
  const known = await cached(store, domain, now);
  let id: string | false;
  try {
    id = await resolvePolicy(domain, { resolver: resolver as never });
  } catch (err) {
    return { policy: known?.policy ?? null, error: `DNS lookup of _mta-sts.${domain} failed: ${(err as Error).message}` };
  }
  if (!id) return { policy: known?.policy ?? null };
  if (known && known.policy.id === id) return { policy: known.policy };
  let policy: StsPolicy;
  try {
    const parsed = parsePolicy(await fetchPolicyText(domain, resolver, opts)) as { mode: StsPolicy['mode']; mx?: string[]; maxAge: number };
    policy = { id, mode: parsed.mode, mx: parsed.mx ?? [], maxAge: parsed.maxAge };
  } catch (err) {
    return { policy: known?.policy ?? null, error: `MTA-STS policy of ${domain} could not be fetched: ${(err as Error).message}` };
  }
  const expires = now.getTime() + policy.maxAge * 1000;
  await store.kvSet(NS, null, [{ key: domain, value: JSON.stringify({ policy, expires } satisfies Cached), expiresAt: new Date(expires) }], { durable: false });
  return { policy };
}

/** whether an MX host is one the policy lists (wildcards: one leftmost label) */
export function mxAllowed(policy: StsPolicy, host: string): boolean {
  return (validateMx(host, policy) as { valid: boolean }).valid;
}

/** the policy as TLS-RPT reports it (RFC 8460 §4.4: the policy text, line by line) */
export function policyStrings(p: StsPolicy): string[] {
  return ['version: STSv1', `mode: ${p.mode}`, ...p.mx.map((m) => `mx: ${m}`), `max_age: ${p.maxAge}`];
}
