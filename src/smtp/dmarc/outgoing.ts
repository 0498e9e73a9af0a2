/**
 * Our own DMARC aggregate reports (RFC 7489 §7.2) to the domains that ask for them. Every
 * message checked on port 25 whose From domain has a DMARC record is counted per day,
 * domain, source address and result in the store's keyed state (server-wide namespace
 * "dmarc.out", atomic counters, kept 8 days). Once a day the previous day's counts go, as
 * gzipped XML, to the domain's `rua=mailto:` addresses; an address in another domain is
 * used only if that domain agrees to receive them (`<domain>._report._dmarc.<its domain>`
 * TXT "v=DMARC1", §7.1).
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import getDmarcRecord from 'mailauth/lib/dmarc/get-dmarc-record.js';
import type { ServerContext } from '../../context.js';
import type { DnsResolver } from '../core/dns.js';
import { rfc5322Date } from '../core/headers.js';
import { aggregateXml, type AggregateRecord } from './aggregate.js';
import { dayOf, oncePerDay } from '../core/daily.js';

const NS = 'dmarc.out';
const KEEP_MS = 8 * 86400_000;

export interface DmarcEvent {
  domain: string;
  ip: string;
  disposition: 'none' | 'quarantine' | 'reject';
  dkim: 'pass' | 'fail';
  spf: 'pass' | 'fail';
}

/** counts one message; never throws */
export async function recordDmarc(ctx: ServerContext, e: DmarcEvent, now: Date): Promise<void> {
  const key = [dayOf(now), e.domain.toLowerCase(), e.ip, e.disposition, e.dkim, e.spf].join('|');
  await ctx.store.kvAdd(NS, null, key, 1, { expiresAt: new Date(now.getTime() + KEEP_MS), durable: false }).catch((err: Error) =>
    ctx.log.warn({ err: err.message }, 'could not count a DMARC result for reporting'),
  );
}

/** mailto: addresses of a DMARC record's rua tag that agree to receive reports for `domain` */
export async function ruaAddresses(domain: string, rua: string, resolver: DnsResolver): Promise<string[]> {
  const out: string[] = [];
  for (const uri of rua.split(',').map((u) => u.trim())) {
    const m = /^mailto:([^!?]+)/i.exec(uri);
    if (!m) continue;
    const address = decodeURIComponent(m[1]!);
    const target = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    if (target !== domain && !target.endsWith('.' + domain) && !domain.endsWith('.' + target)) {
      // RFC 7489 §7.1: the other domain must publish <domain>._report._dmarc.<target>
      try {
        const rows = (await resolver(`${domain}._report._dmarc.${target}`, 'TXT')) as string[][];
        if (!rows.some((r) => /^v=DMARC1/i.test(r.join('')))) continue;
      } catch {
        continue;
      }
    }
    out.push(address);
  }
  return out;
}

/** sends the reports of `day`; returns the domains reported to */
export async function sendDmarcReports(ctx: ServerContext, day: string, resolver: DnsResolver): Promise<string[]> {
  const byDomain = new Map<string, AggregateRecord[]>();
  for (const e of await ctx.store.kvList(NS, null, { prefix: `${day}|` })) {
    const [, domain, ip, disposition, dkim, spf] = e.key.split('|') as [string, string, string, string, string, string];
    const list = byDomain.get(domain) ?? [];
    list.push({ sourceIp: ip, count: Number(e.value), disposition, dkim, spf, headerFrom: domain });
    byDomain.set(domain, list);
  }
  const host = ctx.config.hostname;
  const sent: string[] = [];
  for (const [domain, records] of byDomain) {
    let record: Awaited<ReturnType<typeof getDmarcRecord>>;
    try {
      record = await getDmarcRecord(domain, resolver as never);
    } catch {
      continue;
    }
    if (!record || typeof record.rua !== 'string') continue;
    const to = await ruaAddresses(domain, record.rua, resolver);
    if (!to.length) continue;
    const begin = new Date(`${day}T00:00:00Z`);
    const end = new Date(begin.getTime() + 86400_000 - 1000);
    const reportId = `${day}.${domain}.${randomBytes(6).toString('hex')}@${host}`;
    const xml = aggregateXml({
      org: host,
      email: `postmaster@${host}`,
      reportId,
      begin,
      end,
      domain,
      policy: String(record.p ?? 'none'),
      adkim: String(record.adkim ?? 'r'),
      aspf: String(record.aspf ?? 'r'),
      pct: typeof record.pct === 'number' ? record.pct : 100,
      records,
    });
    const file = `${host}!${domain}!${Math.floor(begin.getTime() / 1000)}!${Math.floor(end.getTime() / 1000)}.xml.gz`;
    const boundary = `=_dmarc_${randomBytes(10).toString('hex')}`;
    const gz = gzipSync(Buffer.from(xml)).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw =
      `From: DMARC reports <postmaster@${host}>\r\nTo: ${to.map((a) => `<${a}>`).join(', ')}\r\n` +
      `Subject: Report Domain: ${domain} Submitter: ${host} Report-ID: <${reportId}>\r\n` +
      `Date: ${rfc5322Date(new Date())}\r\nMessage-ID: <${randomBytes(12).toString('hex')}@${host}>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDMARC aggregate report from ${host} for ${domain}, ${day}.\r\n\r\n` +
      `--${boundary}\r\nContent-Type: application/gzip; name="${file}"\r\nContent-Disposition: attachment; filename="${file}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${gz}\r\n` +
      `--${boundary}--\r\n`;
    await ctx.store.enqueue({ from: '', recipients: to, raw: Buffer.from(raw, 'utf8'), accountId: null });
    sent.push(domain);
  }
  if (sent.length) ctx.log.info({ day, domains: sent }, `sent DMARC aggregate reports for ${day}`);
  return sent;
}

/** sends yesterday's reports once */
export function dailyDmarcReports(ctx: ServerContext, now: Date, resolver: DnsResolver): Promise<void> {
  return oncePerDay(ctx.store, NS, now, (day) => sendDmarcReports(ctx, day, resolver));
}
