/**
 * Issue 15: our MTA-STS policy (RFC 8461 §3.3) served by the web app on mta-sts.<domain>,
 * through a whole running server's http and https listeners. The https side is checked the
 * way a sender checks it: letterbox's own outbound MTA-STS code (src/smtp/queue/mta-sts.ts)
 * looks up the `_mta-sts` record `letterbox dns` prints, in a real DNS server, and fetches
 * the policy with certificate verification from a certificate made for exactly the names
 * ACME orders (acmeNames), handed to the listeners the way ACME hands its certificates over.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { makeTestCa, type TestCa } from '../../helpers/test-ca.js';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { startWebServer, WEB_HOST, type WebServer } from '../../helpers/web.js';
import { acmeNames } from '../../../src/net/acme.js';
import type { ReloadableTlsProvider } from '../../../src/net/tls.js';
import { recordsFor } from '../../../src/smtp/dnsrecords.js';
import { resolverFor } from '../../../src/smtp/core/dns.js';
import { mxAllowed, stsPolicy } from '../../../src/smtp/queue/mta-sts.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

const POLICY = `version: STSv1\r\nmode: enforce\r\nmx: ${WEB_HOST}\r\nmax_age: 259200\r\n`;

function get(port: number, path: string, host: string, method = 'GET'): Promise<{ status: number; type: string; body: string; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { Host: host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', body, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('MTA-STS policy on mta-sts.<domain> (web app)', () => {
  let w: WebServer;
  let ca: TestCa;
  let dns: TestDns;
  let names: string[];

  before(async () => {
    w = await startWebServer({ smtp: { mta_sts_policy: 'enforce', mta_sts_max_age_days: 3 } });
    const { store, config } = w.server.ctx;
    await store.addDomain('example.test');
    await store.addDomain('bücher.test'); // kept in Unicode; asked for as xn--bcher-kva.test
    names = await acmeNames(config, store);
    ca = makeTestCa();
    (w.server.ctx.tls as ReloadableTlsProvider).useCertificate(ca.issue(names), 'test CA');
    const records: Record<string, Parameters<TestDns['add']>[1][]> = {};
    for (const d of await store.listDomains()) {
      const txt = recordsFor(d, config).find((r) => r.name.startsWith('_mta-sts.'))!;
      const ascii = new URL(`http://${d.name}`).hostname;
      records[`_mta-sts.${ascii}`] = [{ type: 'TXT', data: txt.value.replace(/^"|"$/g, '') }];
      records[`mta-sts.${ascii}`] = [{ type: 'A', data: '127.0.0.1' }];
    }
    dns = await startTestDns({ records });
  });
  after(async () => {
    await w?.stop();
    await dns?.close();
    ca?.close();
  });

  test('ACME orders mta-sts.<domain> of every domain, IDN domains by their A-label', () => {
    assert.deepEqual(names.filter((n) => n.startsWith('mta-sts.')).sort(), ['mta-sts.example.test', 'mta-sts.xn--bcher-kva.test']);
  });

  test('a sender fetches and verifies the policy over https for every mta-sts name ACME orders', async () => {
    const resolver = resolverFor({ dns: { servers: [dns.server], timeout_ms: 2000 } });
    const senderStore = createMemoryStore(); // the sending side's policy cache
    try {
      for (const name of names.filter((n) => n.startsWith('mta-sts.'))) {
        const domain = name.slice('mta-sts.'.length);
        const r = await stsPolicy(senderStore, domain, resolver, new Date(), { port: w.port('https'), ca: [ca.ca], timeoutMs: 5000 });
        assert.equal(r.error, undefined, `${domain}: ${r.error}`);
        assert.ok(r.policy, `${domain}: a policy`);
        assert.equal(r.policy.mode, 'enforce');
        assert.deepEqual(r.policy.mx, [WEB_HOST]);
        assert.equal(r.policy.maxAge, 259200);
        assert.ok(mxAllowed(r.policy, WEB_HOST));
        assert.ok(!mxAllowed(r.policy, 'mx.elsewhere.test'));
      }
    } finally {
      await senderStore.close();
    }
  });

  test('over http: the exact policy text as text/plain on a hosted domain\'s mta-sts host only', async () => {
    const port = w.port('http');
    const ok = await get(port, '/.well-known/mta-sts.txt', 'mta-sts.example.test');
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain/);
    assert.equal(ok.body, POLICY);
    assert.equal((await get(port, '/.well-known/mta-sts.txt', 'MTA-STS.Example.Test.:80')).body, POLICY, 'case, trailing dot and port do not matter');
    assert.equal((await get(port, '/.well-known/mta-sts.txt', 'mta-sts.xn--bcher-kva.test')).body, POLICY);
    assert.equal((await get(port, '/.well-known/mta-sts.txt', 'mta-sts.example.test', 'HEAD')).status, 200);
    for (const host of ['mta-sts.other.test', 'example.test', WEB_HOST, 'mta-sts.', '127.0.0.1']) {
      const r = await get(port, '/.well-known/mta-sts.txt', host);
      assert.equal(r.status, 404, host);
      assert.doesNotMatch(r.body, /STSv1/, host);
    }
    const post = await get(port, '/.well-known/mta-sts.txt', 'mta-sts.example.test', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.allow, 'GET');
  });
});
