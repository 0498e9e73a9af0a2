/**
 * DANE (RFC 7672) with real DNSSEC: the destination zone is signed (ldns-signzone) and
 * served by one unbound, letterbox asks a second, validating unbound (dns.servers) whose
 * trust anchor is that zone's key. A TLSA record for the MX host decides which certificate
 * the queue accepts; a bogus zone (signatures that do not validate) defers delivery.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { makeTestCa, type TestCa } from '../../helpers/test-ca.js';
import { startSignedZone, unboundInstalled, type SignedZone } from '../../helpers/unbound.js';
import { makeHarness, startSink, type Harness, type Sink } from './harness.js';
import { startQueueRunner } from '../../../src/smtp/queue/runner.js';
import { resolverFor } from '../../../src/smtp/core/dns.js';

const RAW = () => Buffer.from('From: <alice@local.test>\r\nTo: <d@dane.test>\r\nSubject: dane\r\n\r\nhello\r\n');

describe('DANE with a DNSSEC-validating resolver', { skip: !unboundInstalled() && 'unbound / ldnsutils not installed' }, () => {
  let ca: TestCa;
  let good: Sink;
  let impostor: Sink;
  let h: Harness | undefined;
  let zone: SignedZone | undefined;
  const cert = () => ca.selfSigned(['mx.dane.test']);
  let goodPem: { cert: string; key: string };

  before(async () => {
    ca = makeTestCa();
    goodPem = cert();
    const probe = await makeHarness();
    good = await startSink(probe.ctx, { tls: goodPem });
    impostor = await startSink(probe.ctx, { tls: cert() });
    h = probe;
  });
  after(async () => {
    await good?.close();
    await impostor?.close();
    await h?.close();
    ca?.close();
  });

  async function attempt(records: string[], port: number, bogus = false) {
    zone = await startSignedZone('dane.test', records, { bogus });
    const t = await makeHarness({ dns: { servers: [zone.server] } });
    const runner = startQueueRunner(t.ctx, { resolver: resolverFor(t.ctx.config), portFor: () => port, autoStart: false, timeoutMs: 3000 });
    try {
      const item = await t.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['d@dane.test'], raw: RAW(), accountId: null });
      await runner.runOnce();
      return await t.ctx.store.getQueueItem(item.id);
    } finally {
      await runner.stop();
      await t.close();
      await zone.stop();
    }
  }

  const tlsa = (port: number, pem: string) => {
    const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
    return `_${port}._tcp.mx IN TLSA 3 1 1 ${createHash('sha256').update(spki).digest('hex')}`;
  };
  const base = ['@ IN MX 10 mx.dane.test.', 'mx IN A 127.0.0.1'];

  test('a key other than the one in the validated TLSA record: deferred', async () => {
    const before = impostor.messages.length;
    const left = await attempt([...base, tlsa(impostor.port, goodPem.cert)], impostor.port);
    assert.equal(impostor.messages.length, before, 'nothing sent to the impostor');
    assert.match(left?.lastError ?? '', /DANE: TLS with mx\.dane\.test failed: certificate matches no TLSA record/);
  });

  test('the key the validated TLSA record names: delivered (a self-signed certificate is fine under DANE-EE)', async () => {
    const left = await attempt([...base, tlsa(good.port, goodPem.cert)], good.port);
    assert.equal(left, null, 'delivered');
    assert.equal(good.messages.at(-1)?.secure, true);
  });

  test('a bogus zone (signatures that do not validate): the resolver fails, delivery waits', async () => {
    const before = good.messages.length;
    const left = await attempt([...base, tlsa(good.port, goodPem.cert)], good.port, true);
    assert.equal(good.messages.length, before);
    assert.ok(left, 'still queued');
  });
});
