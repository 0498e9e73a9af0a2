/**
 * DMARC aggregate reports (RFC 7489 §7.2, appendix C schema): reading the XML other
 * receivers send us, and writing our own. The schema is flat and fixed, so a small tag
 * reader does (no XML library): elements are found by name inside their parent, text is
 * unescaped; anything unknown is ignored. Attachments come as .zip (one deflated or
 * stored entry), .gz or plain .xml.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';

export interface AggregateRecord {
  sourceIp: string;
  count: number;
  disposition: string;
  dkim: string;
  spf: string;
  headerFrom: string;
}

export interface AggregateReport {
  org: string;
  email: string;
  reportId: string;
  begin: Date;
  end: Date;
  domain: string;
  policy: string;
  records: AggregateRecord[];
}

const unescape = (s: string) =>
  s
    .replace(/<!\[CDATA\[([^]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

/** inner XML of every <name> element (namespace prefixes ignored) */
function all(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^]*?)</(?:[\\w-]+:)?${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1]!);
}
const one = (xml: string, name: string) => unescape(all(xml, name)[0] ?? '');

export function parseAggregateXml(xml: string): AggregateReport {
  if (!/<(?:[\w-]+:)?feedback[\s>]/.test(xml)) throw new Error('not a DMARC aggregate report (no <feedback>)');
  const meta = all(xml, 'report_metadata')[0] ?? '';
  const range = all(meta, 'date_range')[0] ?? '';
  const pol = all(xml, 'policy_published')[0] ?? '';
  const records = all(xml, 'record').map((r) => {
    const row = all(r, 'row')[0] ?? '';
    const ev = all(row, 'policy_evaluated')[0] ?? '';
    return {
      sourceIp: one(row, 'source_ip'),
      count: Number(one(row, 'count')) || 0,
      disposition: one(ev, 'disposition'),
      dkim: one(ev, 'dkim'),
      spf: one(ev, 'spf'),
      headerFrom: one(all(r, 'identifiers')[0] ?? '', 'header_from'),
    };
  });
  return {
    org: one(meta, 'org_name'),
    email: one(meta, 'email'),
    reportId: one(meta, 'report_id'),
    begin: new Date(Number(one(range, 'begin')) * 1000),
    end: new Date(Number(one(range, 'end')) * 1000),
    domain: one(pol, 'domain'),
    policy: one(pol, 'p'),
    records,
  };
}

/** the XML inside an attachment: zip (first entry), gzip or plain */
export function unpackReport(data: Buffer): string {
  if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data, { maxOutputLength: 64 << 20 }).toString('utf8');
  if (data.readUInt32LE(0) === 0x04034b50) {
    // local file header (APPNOTE 4.3.7): method at 8, sizes at 18/22, name and extra lengths at 26/28
    const method = data.readUInt16LE(8);
    const flags = data.readUInt16LE(6);
    let size = data.readUInt32LE(18);
    const start = 30 + data.readUInt16LE(26) + data.readUInt16LE(28);
    if (flags & 0x08 || !size) size = data.length - start; // sizes in a trailing descriptor: inflate to the end
    const body = data.subarray(start, start + size);
    if (method === 0) return body.toString('utf8');
    if (method === 8) return inflateRawSync(body, { maxOutputLength: 64 << 20 }).toString('utf8');
    throw new Error(`zip compression method ${method} is not supported`);
  }
  return data.toString('utf8');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** our report (RFC 7489 appendix C) */
export function aggregateXml(r: AggregateReport & { adkim?: string; aspf?: string; pct?: number }): string {
  const recs = r.records
    .map(
      (x) =>
        `  <record>\n    <row>\n      <source_ip>${esc(x.sourceIp)}</source_ip>\n      <count>${x.count}</count>\n      <policy_evaluated>\n` +
        `        <disposition>${esc(x.disposition)}</disposition>\n        <dkim>${esc(x.dkim)}</dkim>\n        <spf>${esc(x.spf)}</spf>\n      </policy_evaluated>\n    </row>\n` +
        `    <identifiers>\n      <header_from>${esc(x.headerFrom)}</header_from>\n    </identifiers>\n    <auth_results>\n` +
        `      <spf>\n        <domain>${esc(x.headerFrom)}</domain>\n        <result>${x.spf === 'pass' ? 'pass' : 'fail'}</result>\n      </spf>\n    </auth_results>\n  </record>\n`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n  <version>1.0</version>\n  <report_metadata>\n    <org_name>${esc(r.org)}</org_name>\n` +
    `    <email>${esc(r.email)}</email>\n    <report_id>${esc(r.reportId)}</report_id>\n    <date_range>\n      <begin>${Math.floor(r.begin.getTime() / 1000)}</begin>\n` +
    `      <end>${Math.floor(r.end.getTime() / 1000)}</end>\n    </date_range>\n  </report_metadata>\n  <policy_published>\n    <domain>${esc(r.domain)}</domain>\n` +
    `    <adkim>${r.adkim ?? 'r'}</adkim>\n    <aspf>${r.aspf ?? 'r'}</aspf>\n    <p>${esc(r.policy)}</p>\n    <pct>${r.pct ?? 100}</pct>\n  </policy_published>\n${recs}</feedback>\n`
  );
}
