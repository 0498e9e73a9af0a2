import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, gzipSync, crc32 } from 'node:zlib';
import { aggregateXml, parseAggregateXml, unpackReport } from '../../../src/smtp/dmarc/aggregate.js';
import { makeCli } from '../cli/harness.js';

/** what a receiver like Google sends (RFC 7489 appendix C), trimmed */
export const GOOGLE_XML = `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <report_id>1234567890123456789</report_id>
    <date_range><begin>1764547200</begin><end>1764633599</end></date_range>
  </report_metadata>
  <policy_published><domain>example.test</domain><adkim>s</adkim><aspf>s</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct></policy_published>
  <record>
    <row><source_ip>192.0.2.10</source_ip><count>12</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
    <identifiers><header_from>example.test</header_from></identifiers>
    <auth_results><dkim><domain>example.test</domain><result>pass</result></dkim><spf><domain>example.test</domain><result>pass</result></spf></auth_results>
  </record>
  <record>
    <row><source_ip>203.0.113.66</source_ip><count>3</count><policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.test</header_from></identifiers>
    <auth_results><spf><domain>spoof.test</domain><result>fail</result></spf></auth_results>
  </record>
</feedback>`;

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

test('parses a receiver\'s aggregate report', () => {
  const r = parseAggregateXml(GOOGLE_XML);
  assert.equal(r.org, 'google.com');
  assert.equal(r.reportId, '1234567890123456789');
  assert.equal(r.domain, 'example.test');
  assert.equal(r.policy, 'quarantine');
  assert.equal(r.begin.toISOString(), '2025-12-01T00:00:00.000Z');
  assert.deepEqual(r.records[1], { sourceIp: '203.0.113.66', count: 3, disposition: 'quarantine', dkim: 'fail', spf: 'fail', headerFrom: 'example.test' });
  assert.throws(() => parseAggregateXml('<html></html>'), /not a DMARC aggregate report/);
});

test('unpacks zip, gzip and plain XML', () => {
  const xml = Buffer.from(GOOGLE_XML);
  assert.equal(unpackReport(zip('google.com!example.test!1!2.xml', xml)), GOOGLE_XML);
  assert.equal(unpackReport(gzipSync(xml)), GOOGLE_XML);
  assert.equal(unpackReport(xml), GOOGLE_XML);
});

test('our own report XML reads back', () => {
  const r = parseAggregateXml(GOOGLE_XML);
  const back = parseAggregateXml(aggregateXml({ ...r, org: 'mail.example.test <&>' }));
  assert.deepEqual({ ...back, org: '' }, { ...r, org: '' });
  assert.equal(back.org, 'mail.example.test <&>');
});

test('letterbox dmarc reports lists what arrived at postmaster@', async () => {
  const h = await makeCli();
  try {
    await h.store.addDomain('example.test');
    const pm = await h.store.createAccount('postmaster@example.test', 'x');
    const inbox = (await h.store.getMailbox(pm.id, 'INBOX'))!;
    const att = zip('google.com!example.test!1764547200!1764633599.xml', Buffer.from(GOOGLE_XML)).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw =
      'From: noreply-dmarc-support@google.com\r\nTo: postmaster@example.test\r\nSubject: Report Domain: example.test Submitter: google.com Report-ID: <1234567890123456789>\r\n' +
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n' +
      `--b\r\nContent-Type: application/zip; name="google.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b--\r\n`;
    await h.store.append(pm.id, inbox.id, { raw: Buffer.from(raw) });
    await h.store.append(pm.id, inbox.id, { raw: Buffer.from('From: a@b\r\nSubject: Report Domain: broken\r\nContent-Type: application/gzip\r\n\r\nnot gzip\r\n') });
    let r = await h.cli(['dmarc', 'reports']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^DOMAIN\s+REPORTER\s+FROM\s+TO\s+MESSAGES\s+PASS\s+FAIL\s+SOURCES/m);
    assert.match(r.stdout, /^example\.test\s+google\.com\s+2025-12-01\s+2025-12-01\s+15\s+12\s+3\s+2\s+1234567890123456789$/m);
    assert.match(r.stderr, /skipped an unreadable report/);
    r = await h.cli(['dmarc', 'reports', 'example.test', '--records']);
    assert.match(r.stdout, /^example\.test\s+google\.com\s+2025-12-01\s+203\.0\.113\.66\s+3\s+quarantine\s+fail\s+fail\s+example\.test$/m);
    r = await h.cli(['dmarc', 'reports', 'other.test']);
    assert.match(r.stdout, /no DMARC aggregate reports found for other\.test/);
  } finally {
    await h.close();
  }
});
