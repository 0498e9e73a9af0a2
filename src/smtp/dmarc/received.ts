/**
 * The DMARC aggregate reports other receivers sent about our domains: they arrive as mail
 * to the `rua` address `letterbox dns` publishes (dmarc-reports@ or postmaster@ of each
 * domain). This reads them from those accounts' mailboxes (messages whose Subject starts
 * "Report Domain:", RFC 7489 §7.2.1.1), unpacks the attachments and parses them.
 * `letterbox dmarc reports` and the admin console's DMARC page (/admin/dmarc) both read
 * them through reportsAbout() and count them with reportTotals().
 */
import type { Store } from '../../store/types.js';
import type { MimePart } from '../../mime/types.js';
import { decodeTransfer } from '../../mime/transfer.js';
import { getParam } from '../../mime/params.js';
import { parseAggregateXml, unpackReport, type AggregateRecord, type AggregateReport } from './aggregate.js';

export interface ReceivedReport extends AggregateReport {
  /** where it was found */
  account: string;
  mailbox: string;
  uid: number;
}

function leaves(p: MimePart, out: MimePart[]): MimePart[] {
  if (p.parts) for (const c of p.parts) leaves(c, out);
  else out.push(p);
  return out;
}

function isReportPart(p: MimePart): boolean {
  const type = `${p.type}/${p.subtype}`.toLowerCase();
  const name = ((p.disposition && getParam(p.disposition.params, 'filename')) ?? getParam(p.params, 'name') ?? '').toLowerCase();
  return /^(application\/(zip|x-zip-compressed|gzip|x-gzip|xml)|text\/xml)$/.test(type) || /\.(xml|zip|gz)$/.test(name);
}

/** the addresses that receive our domains' reports, when they exist here */
export async function reportAccounts(store: Store, domains: string[]): Promise<Array<{ id: number; address: string }>> {
  const out = new Map<number, string>();
  for (const d of domains) {
    for (const candidate of [`dmarc-reports@${d}`, `postmaster@${d}`]) {
      const r = await store.resolveRecipient(candidate);
      if (!r?.accounts.length) continue;
      for (const a of r.accounts) out.set(a.id, a.address);
      break;
    }
  }
  return [...out].map(([id, address]) => ({ id, address }));
}

export async function receivedReports(store: Store, domains: string[], onError?: (where: string, err: Error) => void): Promise<ReceivedReport[]> {
  const reports: ReceivedReport[] = [];
  const seen = new Set<string>();
  for (const account of await reportAccounts(store, domains)) {
    for (const mb of await store.listMailboxes(account.id)) {
      if (mb.specialUse === '\\Trash') continue;
      const uids = await store.search(account.id, mb.id, { op: 'header', field: 'subject', value: 'report domain:' });
      if (!uids.length) continue;
      for (const m of await store.getMessagesWithIndex(account.id, mb.id, uids)) {
        const raw = await store.getRaw(account.id, mb.id, m.uid);
        for (const part of leaves(m.index.root, []).filter(isReportPart)) {
          try {
            const data = decodeTransfer(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding) ?? raw.subarray(part.bodyStart, part.bodyEnd);
            const r = parseAggregateXml(unpackReport(data));
            const key = `${r.org}\u0000${r.reportId}`;
            if (seen.has(key)) continue;
            seen.add(key);
            reports.push({ ...r, account: account.address, mailbox: mb.name, uid: m.uid });
          } catch (err) {
            onError?.(`${account.address} ${mb.name} UID ${m.uid}`, err as Error);
          }
        }
      }
    }
  }
  return reports.sort((a, b) => b.begin.getTime() - a.begin.getTime());
}

const bare = (d: string) => d.trim().toLowerCase().replace(/\.$/, '');

/**
 * The reports about our domains, or about `domain` alone (none when it is not hosted here),
 * newest first, each with its domain as hosted (lower case). A report about a domain not hosted here (sent to our rua address by mistake
 * or to mislead) is left out.
 */
export async function reportsAbout(store: Store, domain?: string, onError?: (where: string, err: Error) => void): Promise<ReceivedReport[]> {
  const hosted = (await store.listDomains()).map((d) => d.name);
  const domains = domain === undefined ? hosted : hosted.filter((d) => d === bare(domain));
  if (!domains.length) return [];
  const wanted = new Set(domains);
  return (await receivedReports(store, domains, onError)).flatMap((r) => (wanted.has(bare(r.domain)) ? [{ ...r, domain: bare(r.domain) }] : []));
}

export interface ReportTotals {
  messages: number;
  /** messages with an aligned DKIM or SPF pass: they passed DMARC */
  passed: number;
  failed: number;
  /** distinct source addresses, and those that sent failing messages */
  sources: number;
  failingSources: number;
}

export function reportTotals(records: AggregateRecord[]): ReportTotals {
  const passes = (x: AggregateRecord) => x.dkim === 'pass' || x.spf === 'pass';
  const messages = records.reduce((n, x) => n + x.count, 0);
  const passed = records.filter(passes).reduce((n, x) => n + x.count, 0);
  return {
    messages,
    passed,
    failed: messages - passed,
    sources: new Set(records.map((x) => x.sourceIp)).size,
    failingSources: new Set(records.filter((x) => !passes(x) && x.count > 0).map((x) => x.sourceIp)).size,
  };
}
