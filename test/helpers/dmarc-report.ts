/**
 * DMARC aggregate reports as receivers send them (RFC 7489 §7.2, appendix C), for tests that
 * put one in a mailbox: the XML (Google's layout, trimmed), the one-entry zip they attach,
 * and the whole report mail.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ReportXmlOptions {
  org?: string;
  reportId?: string;
  domain?: string;
  /** seconds since the epoch */
  begin?: number;
  end?: number;
  records?: Array<{ ip: string; count: number; disposition: string; dkim: string; spf: string }>;
}

/** what a receiver like Google sends, trimmed; by default two records (12 passing from 192.0.2.10, 3 failing from 203.0.113.66) */
export function reportXml(o: ReportXmlOptions = {}): string {
  const domain = o.domain ?? 'example.test';
  const records = o.records ?? [
    { ip: '192.0.2.10', count: 12, disposition: 'none', dkim: 'pass', spf: 'pass' },
    { ip: '203.0.113.66', count: 3, disposition: 'quarantine', dkim: 'fail', spf: 'fail' },
  ];
  return `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>${o.org ?? 'google.com'}</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <report_id>${o.reportId ?? '1234567890123456789'}</report_id>
    <date_range><begin>${o.begin ?? 1764547200}</begin><end>${o.end ?? 1764633599}</end></date_range>
  </report_metadata>
  <policy_published><domain>${domain}</domain><adkim>s</adkim><aspf>s</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct></policy_published>
${records
  .map(
    (r) => `  <record>
    <row><source_ip>${r.ip}</source_ip><count>${r.count}</count><policy_evaluated><disposition>${r.disposition}</disposition><dkim>${r.dkim}</dkim><spf>${r.spf}</spf></policy_evaluated></row>
    <identifiers><header_from>${domain}</header_from></identifiers>
    <auth_results><spf><domain>${domain}</domain><result>${r.spf}</result></spf></auth_results>
  </record>
`,
  )
  .join('')}</feedback>`;
}

/** a one-entry zip as report senders make it (deflated, sizes in the local header) */
export function zip(name: string, data: Buffer): Buffer {
  const body = deflateRawSync(data);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt16LE(8, 8);
  h.writeUInt32LE(crc32(data), 14);
  h.writeUInt32LE(body.length, 18);
  h.writeUInt32LE(data.length, 22);
  h.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([h, Buffer.from(name), body]);
}

/** the report mail (Subject "Report Domain: …", RFC 7489 §7.2.1.1) with the XML zipped and attached */
export function reportMail(xml: string, to: string, o: { domain?: string; org?: string } = {}): Buffer {
  const domain = o.domain ?? 'example.test';
  const att = zip(`${o.org ?? 'google.com'}!${domain}!1!2.xml`, Buffer.from(xml)).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: noreply-dmarc-support@google.com\r\nTo: ${to}\r\nSubject: Report Domain: ${domain} Submitter: ${o.org ?? 'google.com'}\r\n` +
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n' +
      `--b\r\nContent-Type: application/zip; name="report.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b--\r\n`,
  );
}
