import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/schema.js';
import { mailSettings, parseAddress } from '../../../src/net/mailsettings.js';
import { escapeXml, unescapeXml } from '../../../src/http/xml.js';
import { requestedAddress } from '../../../src/http/autodiscover.js';
import { stableUuid } from '../../../src/http/mobileconfig.js';

test('escapeXml escapes markup and drops characters XML cannot carry', () => {
  assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  assert.equal(escapeXml('x\u0000y\u0007z\tw'), 'xyz\tw');
  assert.equal(escapeXml(993), '993');
  assert.equal(unescapeXml('a&amp;b&lt;&#65;&#x42;&bogus;'), 'a&b<AB&bogus;');
});

test('mailSettings: production ports, implicit TLS first, plaintext and port 25 excluded', () => {
  const config = defaultConfig({
    hostname: 'mx.example.com',
    listeners: {
      smtp: { port: 25 },
      submission: { port: 587 },
      submissions: { port: 465 },
      imap: { port: 143 },
      imaps: { port: 993 },
      pop3: { port: 110, tls: 'none' },
      pop3s: { enabled: false },
    },
  });
  const s = mailSettings(config);
  assert.deepEqual(s.imap, [
    { host: 'mx.example.com', port: 993, security: 'SSL' },
    { host: 'mx.example.com', port: 143, security: 'STARTTLS' },
  ]);
  assert.deepEqual(s.pop3, []);
  assert.deepEqual(s.smtp.map((e) => e.port), [465, 587]);
});

test('parseAddress', () => {
  assert.deepEqual(parseAddress(' Anna@Example.ORG '), { address: 'Anna@Example.ORG', local: 'Anna', domain: 'example.org' });
  for (const bad of [null, '', 'anna', '@example.org', 'anna@', 'a b@example.org', '<a@example.org>', 'a@example..org', 'a@.org', 'x'.repeat(250) + '@ex.org']) {
    assert.equal(parseAddress(bad), null, String(bad));
  }
});

test('requestedAddress reads POX requests only', () => {
  assert.equal(requestedAddress('<Autodiscover xmlns="x"><Request><EMailAddress> a&amp;b@x.org </EMailAddress></Request></Autodiscover>'), 'a&b@x.org');
  assert.equal(requestedAddress('<a:Autodiscover><a:EMailAddress>c@d.e</a:EMailAddress></a:Autodiscover>'), 'c@d.e');
  assert.equal(requestedAddress('<EMailAddress>c@d.e</EMailAddress>'), null);
  assert.equal(requestedAddress('<Autodiscover></Autodiscover>'), null);
});

test('stableUuid is a deterministic version-5-shaped UUID', () => {
  const a = stableUuid('x');
  assert.equal(a, stableUuid('x'));
  assert.notEqual(a, stableUuid('y'));
  assert.match(a, /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
});
