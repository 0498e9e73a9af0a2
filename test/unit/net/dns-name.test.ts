/**
 * IDN domains (kept in Unicode) go to DNS and the wire in A-label form: `letterbox dns`
 * records, resolver queries, DKIM d=, the MTA-STS lookup, client autoconfiguration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aLabel, aLabelAddress } from '../../../src/net/dns-name.js';
import { defaultConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { recordsFor, formatZone } from '../../../src/smtp/dnsrecords.js';
import { tableResolver, type DnsResolver } from '../../../src/smtp/core/dns.js';
import { signatureFor, generateDkimKey } from '../../../src/smtp/core/dkim.js';
import { stsPolicy } from '../../../src/smtp/queue/mta-sts.js';
import { mailSettings } from '../../../src/net/mailsettings.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

const U = 'bücher.test';
const A = 'xn--bcher-kva.test';

test('aLabel: U-labels to xn--, ASCII names lower-cased and kept (underscores, literals)', () => {
  assert.equal(aLabel('Bücher.Test.'), A);
  assert.equal(aLabel('_dmarc.bücher.test'), `_dmarc.${A}`);
  assert.equal(aLabel(A), A);
  assert.equal(aLabel('Sel._DomainKey.Example.TEST'), 'sel._domainkey.example.test');
  assert.equal(aLabel('[192.0.2.1]'), '[192.0.2.1]');
  assert.equal(aLabelAddress('Postmaster@bücher.test'), `Postmaster@${A}`);
});

test('letterbox dns records of an IDN domain name only A-labels', async () => {
  const store = createMemoryStore();
  const key = generateDkimKey();
  const domain = await store.addDomain(U, { selector: 'lb202612', privateKey: key });
  assert.equal(domain.name, U, 'the domain is kept in Unicode');
  const config = defaultConfig({ hostname: 'mail.bücher.test' });
  const records = recordsFor(domain, config, { dmarc: `postmaster@${U}`, tlsrpt: `postmaster@${U}` });
  const zone = formatZone(records);
  assert.ok(!/[^\x00-\x7f]/.test(zone), `non-ASCII in the zone:\n${zone}`);
  const names = records.map((r) => r.name);
  for (const n of [`${A}.`, `lb202612._domainkey.${A}.`, `_dmarc.${A}.`, `_mta-sts.${A}.`, `mta-sts.${A}.`, `autoconfig.${A}.`, `_imaps._tcp.${A}.`]) {
    assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  }
  assert.equal(records.find((r) => r.type === 'MX')!.value, `10 mail.${A}.`);
  assert.match(records.find((r) => r.name === `_dmarc.${A}.`)!.value, new RegExp(`rua=mailto:postmaster@${A}`));
});

test('resolvers ask for the A-label (a table keyed either way answers both forms)', async () => {
  const r = tableResolver({ [`_dmarc.${U}`]: { TXT: [['v=DMARC1; p=reject']] } });
  assert.deepEqual(await r(`_dmarc.${A}`, 'TXT'), [['v=DMARC1; p=reject']]);
  assert.deepEqual(await r(`_dmarc.${U}`, 'TXT'), [['v=DMARC1; p=reject']]);
});

test('DKIM signs an IDN domain with d= in A-label form', async () => {
  const store = createMemoryStore();
  await store.addDomain(U, { selector: 'sel', privateKey: generateDkimKey() });
  const raw = Buffer.from(`From: a@${U}\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nbody\r\n`);
  const sig = await signatureFor(store, U, raw, createLogger({ log: { level: 'silent' } }));
  assert.match(sig, new RegExp(`d=${A.replace(/\./g, '\\.')};`));
  assert.doesNotMatch(sig, /bücher/);
});

test('outbound MTA-STS looks up _mta-sts.<A-label> for a Unicode destination', async () => {
  const asked: string[] = [];
  const resolver: DnsResolver = async (name, type) => {
    asked.push(`${name} ${type}`);
    throw Object.assign(new Error('none'), { code: 'ENOTFOUND' });
  };
  const r = await stsPolicy(createMemoryStore(), U, resolver, new Date());
  assert.equal(r.policy, null);
  assert.ok(asked.length > 0, 'the resolver was asked');
  for (const q of asked) assert.ok(q.startsWith(`_mta-sts.${A} `), q);
});

test('autoconfiguration gives clients the A-label host name', () => {
  const s = mailSettings(defaultConfig({ hostname: 'mail.bücher.test' }));
  for (const e of [...s.imap, ...s.pop3, ...s.smtp]) assert.equal(e.host, `mail.${A}`);
  assert.ok(s.imap.length > 0);
});
