import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { aggregateXml, parseAggregateXml, unpackReport } from '../../../src/smtp/dmarc/aggregate.js';
import { makeCli } from '../cli/harness.js';
import { reportMail, reportXml, zip } from '../../helpers/dmarc-report.js';

const GOOGLE_XML = reportXml();

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
    await h.store.append(pm.id, inbox.id, { raw: reportMail(GOOGLE_XML, 'postmaster@example.test') });
    // about a domain not hosted here: not ours to show
    await h.store.append(pm.id, inbox.id, { raw: reportMail(reportXml({ domain: 'notours.test', reportId: 'foreign-1' }), 'postmaster@example.test', { domain: 'notours.test' }) });
    await h.store.append(pm.id, inbox.id, { raw: Buffer.from('From: a@b\r\nSubject: Report Domain: broken\r\nContent-Type: application/gzip\r\n\r\nnot gzip\r\n') });
    let r = await h.cli(['dmarc', 'reports']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^DOMAIN\s+REPORTER\s+FROM\s+TO\s+MESSAGES\s+PASS\s+FAIL\s+SOURCES/m);
    assert.match(r.stdout, /^example\.test\s+google\.com\s+2025-12-01\s+2025-12-01\s+15\s+12\s+3\s+2\s+1234567890123456789$/m);
    assert.match(r.stderr, /skipped an unreadable report/);
    assert.doesNotMatch(r.stdout, /notours|foreign-1/);
    r = await h.cli(['dmarc', 'reports', 'example.test', '--records']);
    assert.match(r.stdout, /^example\.test\s+google\.com\s+2025-12-01\s+203\.0\.113\.66\s+3\s+quarantine\s+fail\s+fail\s+example\.test$/m);
    r = await h.cli(['dmarc', 'reports', 'other.test']);
    assert.match(r.stdout, /no DMARC aggregate reports found for other\.test/);
  } finally {
    await h.close();
  }
});
