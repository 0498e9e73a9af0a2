/**
 * SMTP TLS Reporting (RFC 8460): the outcome of every outbound TLS session under a policy
 * (MTA-STS or DANE) or without one is counted per day and destination domain in the
 * store's keyed state (server-wide namespace "tlsrpt", atomic counters, kept 8 days), and
 * once a day the previous day's counts go to each domain that publishes a
 * `_smtp._tls.<domain>` TXT record with mailto: addresses, as the RFC's JSON report,
 * gzipped, in a multipart/report message. https: report URIs are not used.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ServerContext } from '../../context.js';
import type { DnsResolver } from '../core/dns.js';
import { rfc5322Date } from '../core/headers.js';
import { dayOf, oncePerDay } from '../core/daily.js';

const NS = 'tlsrpt';
const KEEP_MS = 8 * 86400_000;

export type PolicyType = 'sts' | 'tlsa' | 'no-policy-found';
export type ResultType =
  | 'starttls-not-supported'
  | 'certificate-host-mismatch'
  | 'certificate-expired'
  | 'certificate-not-trusted'
  | 'validation-failure'
  | 'tlsa-invalid'
  | 'dnssec-invalid'
  | 'sts-policy-fetch-error'
  | 'sts-policy-invalid'
  | 'sts-webpki-invalid';

export { dayOf };

/** RFC 8460 §4.3 result type for a TLS error from node */
export function resultTypeOf(err: unknown): ResultType {
  const code = (err as { code?: string })?.code ?? '';
  const msg = String((err as Error)?.message ?? '');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|Hostname\/IP does not match/i.test(msg)) return 'certificate-host-mismatch';
  if (code === 'CERT_HAS_EXPIRED' || /expired/i.test(msg)) return 'certificate-expired';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|self[- ]signed|unable to verify/i.test(code + ' ' + msg)) return 'certificate-not-trusted';
  if (/STARTTLS/i.test(msg) || code === 'ETLS') return 'starttls-not-supported';
  return 'validation-failure';
}

export interface TlsResult {
  domain: string;
  policyType: PolicyType;
  policyStrings?: string[];
  mx: string;
  /** undefined = a successful TLS session */
  failure?: ResultType;
}

/** counts one session; never throws (reporting must not hold up delivery) */
export async function recordTls(ctx: ServerContext, r: TlsResult, now: Date): Promise<void> {
  const base = `${dayOf(now)}|${r.domain.toLowerCase()}|${r.policyType}`;
  const expiresAt = new Date(now.getTime() + KEEP_MS);
  try {
    if (r.policyStrings) await ctx.store.kvSet(NS, null, [{ key: `${base}|p`, value: JSON.stringify(r.policyStrings), expiresAt }], { durable: false });
    const key = r.failure ? `${base}|f|${r.failure}|${r.mx.toLowerCase()}` : `${base}|s|${r.mx.toLowerCase()}`;
    await ctx.store.kvAdd(NS, null, key, 1, { expiresAt, durable: false });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, domain: r.domain }, 'could not record a TLS-RPT result');
  }
}

interface PolicyReport {
  policy: { 'policy-type': PolicyType; 'policy-string'?: string[]; 'policy-domain': string; 'mx-host'?: string[] };
  summary: { 'total-successful-session-count': number; 'total-failure-session-count': number };
  'failure-details'?: Array<{ 'result-type': ResultType; 'receiving-mx-hostname': string; 'failed-session-count': number }>;
}

/** the RFC 8460 §4.4 reports of one day, by destination domain */
export async function buildReports(ctx: ServerContext, day: string): Promise<Map<string, object>> {
  const entries = await ctx.store.kvList(NS, null, { prefix: `${day}|` });
  const byDomain = new Map<string, Map<PolicyType, PolicyReport>>();
  for (const e of entries) {
    const [, domain, type, kind, a, b] = e.key.split('|') as [string, string, PolicyType, string, string?, string?];
    let policies = byDomain.get(domain);
    if (!policies) byDomain.set(domain, (policies = new Map()));
    let p = policies.get(type);
    if (!p) {
      p = { policy: { 'policy-type': type, 'policy-domain': domain }, summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 0 } };
      policies.set(type, p);
    }
    if (kind === 'p') p.policy['policy-string'] = JSON.parse(e.value) as string[];
    else if (kind === 's') p.summary['total-successful-session-count'] += Number(e.value);
    else if (kind === 'f') {
      p.summary['total-failure-session-count'] += Number(e.value);
      (p['failure-details'] ??= []).push({ 'result-type': a as ResultType, 'receiving-mx-hostname': b ?? '', 'failed-session-count': Number(e.value) });
    }
  }
  const out = new Map<string, object>();
  for (const [domain, policies] of byDomain) {
    out.set(domain, {
      'organization-name': ctx.config.hostname,
      'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
      'contact-info': `postmaster@${ctx.config.hostname}`,
      'report-id': `${day}_${domain}@${ctx.config.hostname}`,
      policies: [...policies.values()],
    });
  }
  return out;
}

/** mailto: addresses of the domain's TLSRPT record (RFC 8460 §3) */
export async function reportAddresses(domain: string, resolver: DnsResolver): Promise<string[]> {
  let rows: string[][];
  try {
    rows = (await resolver(`_smtp._tls.${domain}`, 'TXT')) as string[][];
  } catch {
    return [];
  }
  const record = rows.map((r) => r.join('')).find((t) => /^v=TLSRPTv1\s*;/i.test(t));
  const rua = record && /(?:^|;)\s*rua=([^;]+)/i.exec(record)?.[1];
  if (!rua) return [];
  return rua
    .split(',')
    .map((u) => u.trim())
    .filter((u) => /^mailto:/i.test(u))
    .map((u) => decodeURIComponent(u.slice(7).split('?')[0]!));
}

/** sends the reports of `day` (YYYY-MM-DD); returns the domains reported to */
export async function sendTlsReports(ctx: ServerContext, day: string, resolver: DnsResolver): Promise<string[]> {
  const reports = await buildReports(ctx, day);
  const sent: string[] = [];
  for (const [domain, report] of reports) {
    const to = await reportAddresses(domain, resolver);
    if (!to.length) continue;
    const host = ctx.config.hostname;
    const id = (report as { 'report-id': string })['report-id'];
    const boundary = `=_tlsrpt_${randomBytes(10).toString('hex')}`;
    const gz = gzipSync(Buffer.from(JSON.stringify(report))).toString('base64').replace(/.{76}/g, '$&\r\n');
    const file = `${host}!${domain}!${Date.parse(day + 'T00:00:00Z') / 1000}!${Date.parse(day + 'T23:59:59Z') / 1000}.json.gz`;
    const raw =
      `From: TLS reports <postmaster@${host}>\r\nTo: ${to.map((a) => `<${a}>`).join(', ')}\r\n` +
      `Subject: Report Domain: ${domain} Submitter: ${host} Report-ID: <${id}>\r\n` +
      `Date: ${rfc5322Date(new Date())}\r\nMessage-ID: <${randomBytes(12).toString('hex')}@${host}>\r\n` +
      `TLS-Report-Domain: ${domain}\r\nTLS-Report-Submitter: ${host}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/report; report-type="tlsrpt"; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSMTP TLS report (RFC 8460) from ${host} for ${domain}, ${day}.\r\n\r\n` +
      `--${boundary}\r\nContent-Type: application/tlsrpt+gzip; name="${file}"\r\nContent-Disposition: attachment; filename="${file}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${gz}\r\n` +
      `--${boundary}--\r\n`;
    await ctx.store.enqueue({ from: '', recipients: to, raw: Buffer.from(raw, 'utf8'), accountId: null });
    sent.push(domain);
  }
  if (sent.length) ctx.log.info({ day, domains: sent }, `sent TLS reports (RFC 8460) for ${day}`);
  return sent;
}

/** sends yesterday's reports once */
export function dailyTlsReports(ctx: ServerContext, now: Date, resolver: DnsResolver): Promise<void> {
  return oncePerDay(ctx.store, NS, now, (day) => sendTlsReports(ctx, day, resolver));
}
