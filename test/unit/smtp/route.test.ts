import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeFor, addressesOf } from '../../../src/smtp/queue/route.js';
import { tableResolver, type DnsResolver } from '../../../src/smtp/core/dns.js';

const resolver = tableResolver({
  'multi.test': { MX: [{ exchange: 'b.multi.test.', priority: 20 }, { exchange: 'a.multi.test', priority: 10 }] },
  'implicit.test': { AAAA: ['::1'] },
  'nullmx.test': { MX: [{ exchange: '', priority: 0 }] },
  'a.multi.test': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
});

test('MX hosts in preference order, trailing dot removed (RFC 5321 §5.1)', async () => {
  assert.deepEqual(await routeFor('multi.test', resolver, ''), { ok: true, hosts: [{ host: 'a.multi.test' }, { host: 'b.multi.test' }] });
});

test('no MX but an address: the domain is its own MX', async () => {
  assert.deepEqual(await routeFor('implicit.test', resolver, ''), { ok: true, hosts: [{ host: 'implicit.test' }] });
});

test('null MX (RFC 7505) and unknown domains fail permanently', async () => {
  const n = await routeFor('nullmx.test', resolver, '');
  assert.equal(n.ok, false);
  assert.ok(!n.ok && n.permanent && n.status === '5.1.10');
  const u = await routeFor('nowhere.test', resolver, '');
  assert.ok(!u.ok && u.permanent && u.status === '5.1.2');
});

test('a DNS failure is temporary', async () => {
  const broken: DnsResolver = async () => {
    throw Object.assign(new Error('SERVFAIL'), { code: 'ESERVFAIL' });
  };
  const r = await routeFor('any.test', broken, '');
  assert.ok(!r.ok && !r.permanent && r.status === '4.4.3');
});

test('relay_host replaces the lookup, with or without port', async () => {
  assert.deepEqual(await routeFor('x.test', resolver, 'smart.example:2525'), { ok: true, hosts: [{ host: 'smart.example', port: 2525 }] });
  assert.deepEqual(await routeFor('x.test', resolver, '[192.0.2.9]'), { ok: true, hosts: [{ host: '192.0.2.9', port: undefined }] });
});

test('addresses: A then AAAA, IP literals as they are', async () => {
  assert.deepEqual(await addressesOf('a.multi.test', resolver), ['192.0.2.1', '2001:db8::1']);
  assert.deepEqual(await addressesOf('127.0.0.1', resolver), ['127.0.0.1']);
  assert.deepEqual(await addressesOf('nowhere.test', resolver), []);
});
