import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsblName, heloFindings, ptrFindings, rdnsVerdict } from '../../../src/smtp/inbound/checks.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsFile, hostsFileNames } from '../../../src/smtp/core/dns.js';

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

test('HELO finding: a name that is not fully qualified', () => {
  assert.deepEqual(heloFindings('vm'), ['HELO_NOT_FQDN']);
  assert.deepEqual(heloFindings('[192.0.2.1]'), ['HELO_NOT_FQDN']);
  assert.deepEqual(heloFindings('mx.example.org'), []);
});

test('reverse DNS: PTR then forward confirmation; /etc/hosts first only when asked (the system resolver)', async () => {
  const asked: string[] = [];
  const table: Record<string, unknown[]> = { '5.2.0.192.in-addr.arpa/PTR': ['mx.example.org'], 'mx.example.org/A': ['192.0.2.5'], '6.2.0.192.in-addr.arpa/PTR': ['liar.example.org'] };
  const resolver = async (name: string, type: string) => {
    asked.push(`${name}/${type}`);
    const r = table[`${name}/${type}`];
    if (!r) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return r;
  };
  assert.deepEqual(await ptrFindings('192.0.2.5', resolver, false), []);
  assert.deepEqual(await ptrFindings('192.0.2.6', resolver, false), ['RDNS_MISMATCH']);
  assert.deepEqual(await ptrFindings('192.0.2.7', resolver, false), ['RDNS_NONE']);
  asked.length = 0;
  assert.deepEqual(await ptrFindings('127.0.0.1', resolver, false), ['RDNS_NONE']);
  assert.deepEqual(asked, ['1.0.0.127.in-addr.arpa/PTR']);
  // with the hosts file: an address it lists (127.0.0.1 → localhost here) is answered without DNS
  if (hostsFileNames('127.0.0.1').length) {
    asked.length = 0;
    assert.deepEqual(await ptrFindings('127.0.0.1', resolver, true), []);
    assert.deepEqual(asked, []);
  }
  // an address the hosts file does not list still goes to DNS
  asked.length = 0;
  assert.deepEqual(await ptrFindings('192.0.2.5', resolver, true), []);
  assert.deepEqual(asked, ['5.2.0.192.in-addr.arpa/PTR', 'mx.example.org/A']);
});

test('hosts file: read again once it changed, looked at no more often than the recheck interval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-hosts-'));
  try {
    const file = join(dir, 'hosts');
    writeFileSync(file, '# comment\n127.0.0.1 localhost Local.Example.\n::1 localhost ip6-localhost\n');
    let clock = 1_000_000;
    const hosts = hostsFile(file, 1000, () => clock);
    assert.deepEqual(hosts.names('127.0.0.1'), ['localhost', 'local.example']);
    assert.deepEqual(hosts.addresses('LOCALHOST.'), ['127.0.0.1', '::1']);
    assert.deepEqual(hosts.names('192.0.2.1'), []);
    // changed (another size): unseen within the interval, seen after it
    writeFileSync(file, '192.0.2.1 mx.example.org\n');
    clock += 999;
    assert.deepEqual(hosts.names('127.0.0.1'), ['localhost', 'local.example'], 'not looked at again within the interval');
    clock += 1;
    assert.deepEqual(hosts.names('127.0.0.1'), []);
    assert.deepEqual(hosts.names('192.0.2.1'), ['mx.example.org']);
    // removed: an empty table
    rmSync(file);
    clock += 1000;
    assert.deepEqual(hosts.addresses('mx.example.org'), []);
    // a clock that went back is no reason to keep an old table
    writeFileSync(file, '192.0.2.9 back.example\n');
    clock -= 5000;
    assert.deepEqual(hosts.names('192.0.2.9'), ['back.example']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
