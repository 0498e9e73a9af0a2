import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/schema.js';
import { retryDelayMs, expiresAt } from '../../../src/smtp/queue/backoff.js';
import { statusFromReply, buildDsn } from '../../../src/smtp/queue/dsn.js';
import { headerAddresses, headerValues, receivedHeader, rfc5322Date, withProtocol } from '../../../src/smtp/core/headers.js';
import { ConnectionCounter } from '../../../src/smtp/limits.js';
import { sharedCounter } from '../../../src/store/rate.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { storeErrorReply } from '../../../src/smtp/core/errors.js';
import { StoreError } from '../../../src/store/types.js';

test('backoff doubles from retry_base_s and stops at retry_max_s', () => {
  const smtp = defaultConfig({ smtp: { retry_base_s: 300, retry_max_s: 3600 } }).smtp;
  assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => retryDelayMs(smtp, n) / 1000), [300, 600, 1200, 2400, 3600, 3600]);
  assert.equal(expiresAt(smtp, new Date(0)).getTime(), 5 * 86_400_000);
});

test('status from an SMTP reply', () => {
  assert.equal(statusFromReply('550 5.1.1 no such user', true), '5.1.1');
  assert.equal(statusFromReply('451 4.7.1 greylisted', false), '4.7.1');
  assert.equal(statusFromReply('550 mailbox unavailable', true), '5.0.0');
  assert.equal(statusFromReply('421 service not available', false), '4.0.0');
});

test('DSN structure (RFC 3464 / RFC 6522)', () => {
  const raw = buildDsn({
    hostname: 'mx.test',
    to: 'a@b.test',
    original: Buffer.from('Subject: orig\r\nFrom: a@b.test\r\n\r\nsecret body\r\n'),
    arrivalDate: new Date(0),
    now: new Date(0),
    recipients: [{ address: 'x@y.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown\r\nuser', remoteMta: 'mx.y.test' }],
  }).toString();
  const boundary = /boundary="([^"]+)"/.exec(raw)![1]!;
  assert.equal(raw.split(`--${boundary}\r\n`).length, 4, 'three parts');
  assert.ok(raw.endsWith(`--${boundary}--\r\n`));
  assert.match(raw, /^Auto-Submitted: auto-replied$/m);
  assert.match(raw, /^Diagnostic-Code: smtp; 550 5\.1\.1 unknown user$/m, 'folded into one line');
  assert.match(raw, /^Subject: orig$/m);
  assert.doesNotMatch(raw, /secret body/, 'only the header of the original is returned');
});

test('header helpers', () => {
  const raw = Buffer.from('From: "A, B" <a@x.test>,\r\n c@y.test\r\nTo: grp: d@z.test, e@z.test;\r\nSubject: s\r\n\r\nFrom: not@header.test\r\n');
  assert.deepEqual(headerAddresses(raw, 'from'), ['a@x.test', 'c@y.test']);
  assert.deepEqual(headerAddresses(raw, 'to'), ['d@z.test', 'e@z.test']);
  assert.deepEqual(headerValues(raw, 'subject'), ['s']);
  assert.equal(rfc5322Date(new Date(Date.UTC(2026, 10, 26, 3, 4, 5))), 'Thu, 26 Nov 2026 03:04:05 +0000');
  assert.equal(withProtocol({ utf8: false, tls: true, auth: true }), 'ESMTPSA');
  assert.equal(withProtocol({ utf8: true, tls: true, auth: false }), 'UTF8SMTPS');
  const rec = receivedHeader({ helo: 'evil\r\nX-Injected: 1', clientHostname: null, ip: '192.0.2.1', hostname: 'mx.test', protocol: 'ESMTP', tls: null, id: 'abc', date: new Date(0) });
  assert.doesNotMatch(rec, /\r\nX-Injected/, 'HELO cannot inject header fields');
});

test('limits', async () => {
  let now = 0;
  const w = sharedCounter(createMemoryStore(), 'smtp.rate.ip', 1000, () => now);
  assert.equal(await w.hit('ip'), 1);
  await w.add('ip');
  assert.equal(await w.count('ip'), 2);
  assert.equal(await w.hit('ip'), 3, 'add() counts like hit()');
  assert.equal(await w.count('other'), 0);
  now = 2001;
  assert.equal(await w.count('ip'), 0);
  const c = new ConnectionCounter(1);
  assert.equal(c.acquire('a'), true);
  assert.equal(c.acquire('a'), false);
  assert.equal(c.acquire('b'), true);
  c.release('a');
  assert.equal(c.acquire('a'), true);
});

test('StoreError → SMTP reply mapping', () => {
  assert.equal(storeErrorReply(new StoreError('OVERQUOTA', 'full')).toString().slice(0, 9), '452 4.2.2');
  assert.equal(storeErrorReply(new StoreError('TEMP', 'busy')).responseCode, 451);
  assert.equal(storeErrorReply(new Error('boom')).responseCode, 451);
  assert.equal(storeErrorReply(new StoreError('LIMIT', 'big')).enhanced, '5.3.4');
});

test('forged Authentication-Results for our authserv-id are removed, others kept (RFC 8601 §5)', async () => {
  const { stripOwnAuthResults } = await import('../../../src/smtp/core/headers.js');
  const raw = Buffer.from(
    'Authentication-Results: MX.test;\r\n spf=pass smtp.mailfrom=a@b\r\nAuthentication-Results: other.test; dkim=pass\r\nSubject: s\r\n\r\nAuthentication-Results: mx.test; body line\r\n',
  );
  const out = stripOwnAuthResults(raw, 'mx.test').toString();
  assert.equal(out, 'Authentication-Results: other.test; dkim=pass\r\nSubject: s\r\n\r\nAuthentication-Results: mx.test; body line\r\n');
  const clean = Buffer.from('Subject: s\r\n\r\nx\r\n');
  assert.equal(stripOwnAuthResults(clean, 'mx.test'), clean, 'untouched when nothing to remove');
});
