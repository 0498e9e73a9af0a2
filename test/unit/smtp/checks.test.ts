import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsblName, rdnsVerdict } from '../../../src/smtp/inbound/checks.js';

test('DNSBL query names (RFC 5782 §2.1, §2.4)', () => {
  assert.equal(dnsblName('192.0.2.99', 'bl.test'), '99.2.0.192.bl.test');
  assert.equal(dnsblName('2001:db8:1:2:3:4:567:89ab', 'bl.test'), 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test');
  assert.equal(dnsblName('2001:db8::1', 'x'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.x');
  assert.equal(dnsblName('not-an-ip', 'x'), null);
});

test('reverse DNS findings score one point each and reach Junk only at rdns_junk_score', () => {
  assert.equal(rdnsVerdict([], 3), undefined);
  assert.deepEqual(rdnsVerdict(['RDNS_NONE', 'HELO_NOT_FQDN'], 3), { junk: false, spamScore: 2, spamThreshold: 3, reasons: ['RDNS_NONE', 'HELO_NOT_FQDN'] });
  assert.equal(rdnsVerdict(['RDNS_NONE', 'HELO_NOT_FQDN', 'RDNS_MISMATCH'], 3)?.junk, true);
});
