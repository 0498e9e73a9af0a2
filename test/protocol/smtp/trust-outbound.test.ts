/**
 * Issue 15, outbound: the queue delivering to local test MX servers (smtp-server sinks)
 * found through real DNS answers (an in-process DNS server reached through dns.servers).
 * - DSN (RFC 3461): a submission with NOTIFY=SUCCESS,DELAY,FAILURE produces each kind of
 *   notice (delivered here, relayed, failed, delayed), with ENVID and ORCPT returned;
 *   NOTIFY=NEVER produces none; a DSN-capable next hop gets the parameters instead.
 * - MTA-STS (RFC 8461) with certificates from a CA the test makes: under an enforce policy
 *   a wrong certificate defers delivery and is counted for TLS-RPT (RFC 8460); the right
 *   one delivers; the daily report goes to the domain's rua address.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttps, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { makeTestCa, type TestCa } from '../../helpers/test-ca.js';
import { makeHarness, SmtpClient, startSink, type Harness, type Sink } from './harness.js';
import { startQueueRunner, type QueueRunner } from '../../../src/smtp/queue/runner.js';
import { resolverFor } from '../../../src/smtp/core/dns.js';
import { buildReports, dayOf, sendTlsReports } from '../../../src/smtp/queue/tls-report.js';
import { saveEnvelope } from '../../../src/smtp/queue/envelope.js';

const ALICE = 'alice@local.test';
const PASS = 'pw-alice-1';

async function mailbox(h: Harness, address: string, name = 'INBOX'): Promise<string[]> {
  const a = (await h.ctx.store.getAccount(address))!;
  const mb = (await h.ctx.store.getMailbox(a.id, name))!;
  const metas = await h.ctx.store.getMessages(a.id, mb.id, [[1, Infinity]]);
  return Promise.all(metas.map(async (m) => (await h.ctx.store.getRaw(a.id, mb.id, m.uid)).toString('utf8')));
}

/** submits one message on the submission port with the given MAIL and RCPT lines */
async function submit(port: number, mail: string, rcpts: string[]): Promise<string[]> {
  const { client } = await SmtpClient.connect(port);
  const replies: string[] = [];
  try {
    replies.push(await client.cmd('EHLO client.local.test'));
    replies.push(await client.authPlain(ALICE, PASS));
    replies.push(await client.cmd(mail));
    for (const r of rcpts) replies.push(await client.cmd(r));
    replies.push(await client.data(`From: <${ALICE}>\r\nTo: <someone@remote.test>\r\nSubject: dsn test\r\nMessage-ID: <dsn-1@local.test>\r\n\r\nbody\r\n`));
  } finally {
    client.close();
  }
  return replies;
}

describe('DSN (RFC 3461)', () => {
  let dns: TestDns;
  let h: Harness;
  let sink: Sink;
  let dsnSink: Sink;
  let runner: QueueRunner;
  let clock = new Date();
  before(async () => {
    dns = await startTestDns({
      records: {
        'remote.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.remote.test' } }],
        'mx.remote.test': [{ type: 'A', data: '127.0.0.1' }],
        'dsnful.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.dsnful.test' } }],
        'mx.dsnful.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    });
    h = await makeHarness({ dns: { servers: [dns.server] }, auth: { plaintext_allowed_from: ['127.0.0.1'] }, smtp: { delay_warning_hours: 4, retry_base_s: 60 } });
    await h.addUser(ALICE, PASS);
    await h.addUser('carol@local.test', 'pw-carol-1');
    sink = await startSink(h.ctx, { rcpt: (a) => (a.startsWith('bad') || a.startsWith('never') ? [550, '5.1.1 no such user'] : a.startsWith('slow') ? [451, '4.3.0 try later'] : null) });
    dsnSink = await startSink(h.ctx, { dsn: true });
    const ports: Record<string, number> = { 'mx.remote.test': sink.port, 'mx.dsnful.test': dsnSink.port };
    runner = startQueueRunner(h.ctx, { resolver: resolverFor(h.ctx.config), portFor: (host) => ports[host], autoStart: false, now: () => clock, timeoutMs: 3000 });
  });
  after(async () => {
    await runner.stop();
    await sink.close();
    await dsnSink.close();
    await h.close();
    await dns.close();
  });

  test('EHLO offers DSN', async () => {
    const l = await h.start('submission', 'starttls', resolverFor(h.ctx.config));
    const { client } = await SmtpClient.connect(l.port);
    assert.match(await client.cmd('EHLO x.test'), /250[- ]DSN/);
    client.close();
  });

  test('NOTIFY=SUCCESS,DELAY,FAILURE produces each kind of notice; NEVER none', async () => {
    const l = await h.start('submission', 'starttls', resolverFor(h.ctx.config));
    const all = 'NOTIFY=SUCCESS,DELAY,FAILURE';
    const replies = await submit(l.port, `MAIL FROM:<${ALICE}> RET=HDRS ENVID=env-42`, [
      `RCPT TO:<ok@remote.test> ${all} ORCPT=rfc822;ok@remote.test`,
      `RCPT TO:<bad@remote.test> ${all}`,
      `RCPT TO:<slow@remote.test> ${all}`,
      `RCPT TO:<never@remote.test> NOTIFY=NEVER`,
      `RCPT TO:<carol@local.test> NOTIFY=SUCCESS`,
      `RCPT TO:<x@dsnful.test> ${all} ORCPT=rfc822;x@dsnful.test`,
    ]);
    assert.ok(replies.slice(2).every((r) => r.startsWith('250')), replies.join(' | '));

    // delivered here at once: a success notice (action delivered)
    let dsns = (await mailbox(h, ALICE)).filter((m) => m.includes('multipart/report'));
    const delivered = dsns.find((m) => /^Action: delivered$/m.test(m));
    assert.ok(delivered, 'a "delivered" DSN for the local recipient');
    assert.match(delivered, /^Final-Recipient: rfc822; carol@local\.test$/m);
    assert.match(delivered, /^Original-Envelope-Id: env-42$/m);
    assert.match(delivered, /^Subject: Successful Mail Delivery Report$/m);

    clock = new Date();
    await runner.runOnce();
    dsns = (await mailbox(h, ALICE)).filter((m) => m.includes('multipart/report'));
    const relayed = dsns.find((m) => /^Action: relayed$/m.test(m));
    assert.ok(relayed, 'a "relayed" DSN: the remote MX does not do DSN');
    assert.match(relayed, /^Original-Recipient: rfc822;ok@remote\.test$/m);
    assert.match(relayed, /^Final-Recipient: rfc822; ok@remote\.test$/m);
    const failed = dsns.find((m) => /^Action: failed$/m.test(m));
    assert.ok(failed, 'a failure DSN');
    assert.match(failed, /^Final-Recipient: rfc822; bad@remote\.test$/m);
    assert.doesNotMatch(failed, /never@remote\.test>?:|Final-Recipient: rfc822; never/, 'NOTIFY=NEVER: no notice');
    assert.match(failed, /^Original-Envelope-Id: env-42$/m);
    assert.match(failed, /Content-Type: text\/rfc822-headers/, 'RET=HDRS: headers only');
    assert.ok(!dsns.some((m) => /Final-Recipient: rfc822; x@dsnful\.test/.test(m)), 'no notice for a next hop that does DSN');
    // ... which got the parameters instead
    const passed = dsnSink.messages.find((m) => m.to.includes('x@dsnful.test'));
    assert.ok(passed);
    assert.deepEqual(passed.rcptDsn?.[0], { notify: ['SUCCESS', 'DELAY', 'FAILURE'], orcpt: 'rfc822;x@dsnful.test' });
    assert.equal((passed.dsn as { envid?: string }).envid, 'env-42');
    assert.ok(!dsns.some((m) => /^Action: delayed$/m.test(m)), 'no delay notice yet');

    // past smtp.delay_warning_hours: the delay notice for slow@
    clock = new Date(Date.now() + 5 * 3600_000);
    await runner.runOnce();
    dsns = (await mailbox(h, ALICE)).filter((m) => m.includes('multipart/report'));
    const delayed = dsns.find((m) => /^Action: delayed$/m.test(m));
    assert.ok(delayed, 'a delay DSN');
    assert.match(delayed, /^Final-Recipient: rfc822; slow@remote\.test$/m);
    assert.match(delayed, /^Will-Retry-Until: /m);
  });

  test('address literals are refused as submission recipients (private ranges included)', async () => {
    const l = await h.start('submission', 'starttls', resolverFor(h.ctx.config));
    const replies = await submit(l.port, `MAIL FROM:<${ALICE}>`, ['RCPT TO:<root@[127.0.0.1]>', 'RCPT TO:<x@[10.0.0.5]>', 'RCPT TO:<x@[IPv6:::1]>']);
    for (const r of replies.slice(3, 6)) assert.match(r, /^553 5\.1\.3 Address literals are not accepted/);
  });

  test('RET=FULL returns the whole message', async () => {
    const l = await h.start('submission', 'starttls', resolverFor(h.ctx.config));
    await submit(l.port, `MAIL FROM:<${ALICE}> RET=FULL`, ['RCPT TO:<bad2@remote.test> NOTIFY=FAILURE']);
    clock = new Date();
    await runner.runOnce();
    const dsn = (await mailbox(h, ALICE)).find((m) => /Final-Recipient: rfc822; bad2@remote\.test/.test(m));
    assert.ok(dsn);
    assert.match(dsn, /Content-Type: message\/rfc822\r\n\r\n[^]*\r\n\r\nbody\r\n/);
  });
});

describe('SRS for forwarded mail', () => {
  test('an alias to an external address forwards with an SRS sender; the bounce comes back to the original sender', async () => {
    const dns = await startTestDns({
      records: {
        'remote.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.remote.test' } }],
        'mx.remote.test': [{ type: 'A', data: '127.0.0.1' }],
        'sender.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.sender.test' } }],
        'mx.sender.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    });
    const h = await makeHarness({ dns: { servers: [dns.server] } });
    const dest = await startSink(h.ctx);
    const origin = await startSink(h.ctx);
    const ports: Record<string, number> = { 'mx.remote.test': dest.port, 'mx.sender.test': origin.port };
    const runner = startQueueRunner(h.ctx, { resolver: resolverFor(h.ctx.config), portFor: (x) => ports[x], autoStart: false, timeoutMs: 3000 });
    try {
      await h.ctx.store.addDomain('local.test');
      await h.ctx.store.addAlias('fwd@local.test', ['far@remote.test']);
      const l = await h.start('smtp', 'starttls', resolverFor(h.ctx.config));
      let { client } = await SmtpClient.connect(l.port);
      await client.cmd('EHLO mx.sender.test');
      await client.cmd('MAIL FROM:<Bob@sender.test>');
      assert.match(await client.cmd('RCPT TO:<fwd@local.test>'), /^250/);
      assert.match(await client.data('From: <Bob@sender.test>\r\nSubject: fwd\r\n\r\nhi\r\n'), /^250/);
      client.close();
      await runner.runOnce();
      const out = dest.messages[0];
      assert.ok(out, 'forwarded');
      assert.match(out.from, /^SRS0=.{4}=[A-Z2-7]{2}=sender\.test=Bob@mail\.example\.test$/);

      // the destination bounces to the SRS address: accepted and sent on to Bob
      ({ client } = await SmtpClient.connect(l.port));
      await client.cmd('EHLO mx.remote.test');
      await client.cmd('MAIL FROM:<>');
      assert.match(await client.cmd(`RCPT TO:<${out.from}>`), /^250/);
      assert.match(await client.cmd(`RCPT TO:<${out.from.replace(/^SRS0=.{4}/, 'SRS0=AAAA')}>`), /^550 5\.1\.1/, 'a forged SRS address is refused');
      assert.match(await client.data('From: MAILER-DAEMON@remote.test\r\nSubject: bounce\r\n\r\nundeliverable\r\n'), /^250/);
      client.close();
      await runner.runOnce();
      assert.deepEqual(origin.messages[0]?.to, ['Bob@sender.test']);
      assert.equal(origin.messages[0]?.from, '');
    } finally {
      await runner.stop();
      await dest.close();
      await origin.close();
      await h.close();
      await dns.close();
    }
  });
});

describe('ARC (RFC 8617) for forwarded mail', () => {
  test('a forwarded copy carries our ARC set, which the destination validates over DNS', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { authenticate } = await import('mailauth');
    const { dkimTxtValue } = await import('../../../src/smtp/dnsrecords.js');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dns = await startTestDns({
      records: {
        'remote.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.remote.test' } }],
        'mx.remote.test': [{ type: 'A', data: '127.0.0.1' }],
        'sender.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
        'sel1._domainkey.arc.test': [{ type: 'TXT', data: dkimTxtValue(pem) }],
      },
    });
    const h = await makeHarness({ dns: { servers: [dns.server] } });
    const dest = await startSink(h.ctx);
    const runner = startQueueRunner(h.ctx, { resolver: resolverFor(h.ctx.config), portFor: () => dest.port, autoStart: false, timeoutMs: 3000 });
    try {
      await h.ctx.store.addDomain('arc.test', { selector: 'sel1', privateKey: pem });
      await h.ctx.store.addAlias('list@arc.test', ['far@remote.test']);
      const l = await h.start('smtp', 'starttls', resolverFor(h.ctx.config));
      const { client } = await SmtpClient.connect(l.port);
      await client.cmd('EHLO mx.sender.test');
      await client.cmd('MAIL FROM:<bob@sender.test>');
      await client.cmd('RCPT TO:<list@arc.test>');
      assert.match(await client.data('From: <bob@sender.test>\r\nTo: <list@arc.test>\r\nSubject: sealed\r\nMessage-ID: <arc1@sender.test>\r\n\r\nhello\r\n'), /^250/);
      client.close();
      await runner.runOnce();
      const out = dest.messages[0];
      assert.ok(out, 'forwarded');
      const text = out.raw.toString();
      assert.match(text, /^ARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none; d=arc\.test; s=sel1;/m);
      assert.match(text, /^ARC-Authentication-Results: i=1; mail\.example\.test;/m);
      // the destination verifies the chain with the key published in DNS
      const res = await authenticate(out.raw, { ip: '127.0.0.1', helo: 'mail.example.test', sender: out.from, mta: 'mx.remote.test', resolver: resolverFor(h.ctx.config) as never });
      assert.equal((res.arc as { status: { result: string } }).status.result, 'pass');
    } finally {
      await runner.stop();
      await dest.close();
      await h.close();
      await dns.close();
    }
  });
});

describe('MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)', () => {
  let dns: TestDns;
  let ca: TestCa;
  let https: Server;
  let h: Harness;
  let right: Sink;
  let wrong: Sink;
  let rua: Sink;
  let runner: QueueRunner;
  const ports: Record<string, number> = {};
  const policy = (mx: string) => `version: STSv1\nmode: enforce\nmx: ${mx}\nmax_age: 86400\n`;
  let served = policy('mx.secure.test');
  let policyFetches = 0;
  let policyHostDown = false;

  before(async () => {
    ca = makeTestCa();
    const policyCert = ca.issue(['mta-sts.secure.test', 'mta-sts.badcert.test']);
    https = createHttps({ ...policyCert }, (req, res) => {
      if (req.url !== '/.well-known/mta-sts.txt') return res.writeHead(404).end();
      policyFetches++;
      if (policyHostDown) return res.writeHead(503).end();
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(served);
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    dns = await startTestDns({
      records: {
        'secure.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.secure.test' } }],
        '_mta-sts.secure.test': [{ type: 'TXT', data: 'v=STSv1; id=20261202' }],
        '_smtp._tls.secure.test': [{ type: 'TXT', data: 'v=TLSRPTv1; rua=mailto:tlsrpt@reports.test' }],
        'mta-sts.secure.test': [{ type: 'A', data: '127.0.0.1' }],
        'mx.secure.test': [{ type: 'A', data: '127.0.0.1' }],
        'reports.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.reports.test' } }],
        'mx.reports.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    });
    h = await makeHarness({ dns: { servers: [dns.server] } });
    await h.addUser(ALICE, PASS);
    right = await startSink(h.ctx, { tls: ca.issue(['mx.secure.test']) });
    wrong = await startSink(h.ctx, { tls: ca.issue(['somewhere-else.test']) });
    rua = await startSink(h.ctx);
    ports['mx.reports.test'] = rua.port;
    runner = startQueueRunner(h.ctx, {
      resolver: resolverFor(h.ctx.config),
      portFor: (host) => ports[host],
      autoStart: false,
      timeoutMs: 3000,
      mtaSts: { port: (https.address() as AddressInfo).port, ca: [ca.ca] },
      tlsCa: [ca.ca],
    });
  });
  after(async () => {
    await runner.stop();
    for (const s of [right, wrong, rua]) await s.close();
    await new Promise<void>((r) => https.close(() => r()));
    await h.close();
    await dns.close();
    ca.close();
  });

  const RAW = () => Buffer.from(`From: <${ALICE}>\r\nTo: <bob@secure.test>\r\nSubject: sts\r\n\r\nhello\r\n`);

  test('enforce + a certificate for another name: deferred, counted as certificate-host-mismatch', async () => {
    ports['mx.secure.test'] = wrong.port;
    const item = await h.ctx.store.enqueue({ from: ALICE, recipients: ['bob@secure.test'], raw: RAW(), accountId: null });
    await runner.runOnce();
    assert.equal(wrong.messages.length, 0, 'nothing delivered over an unverified connection');
    const after = await h.ctx.store.getQueueItem(item.id);
    assert.ok(after, 'still queued (deferred, not bounced)');
    assert.match(after.lastError ?? '', /MTA-STS policy of secure\.test \(enforce\): TLS with mx\.secure\.test failed verification/);
    const report = (await buildReports(h.ctx, dayOf(new Date()))).get('secure.test') as { policies: Array<Record<string, any>> };
    const sts = report.policies.find((p) => p.policy['policy-type'] === 'sts')!;
    assert.equal(sts.summary['total-failure-session-count'], 1);
    assert.deepEqual(sts['failure-details'], [{ 'result-type': 'certificate-host-mismatch', 'receiving-mx-hostname': 'mx.secure.test', 'failed-session-count': 1 }]);
    assert.ok(sts.policy['policy-string'].includes('mode: enforce'));
  });

  test('enforce + the right certificate: delivered over verified TLS', async () => {
    ports['mx.secure.test'] = right.port;
    const item = (await h.ctx.store.listQueue())[0]!;
    await h.ctx.store.updateQueueItem(item.id, { nextAttemptAt: new Date(0) });
    await runner.runOnce();
    assert.equal(right.messages.length, 1);
    assert.equal(right.messages[0]!.secure, true);
    assert.equal(await h.ctx.store.getQueueItem(item.id), null);
  });

  test('enforce + an MX the policy does not list: not delivered there', async () => {
    served = policy('mx.secure.test');
    dns.set('secure.test', [{ type: 'MX', data: { preference: 5, exchange: 'rogue.secure-evil.test' } }, { type: 'MX', data: { preference: 10, exchange: 'mx.secure.test' } }]);
    dns.set('rogue.secure-evil.test', [{ type: 'A', data: '127.0.0.1' }]);
    const rogue = await startSink(h.ctx);
    ports['rogue.secure-evil.test'] = rogue.port;
    try {
      await h.ctx.store.enqueue({ from: ALICE, recipients: ['bob@secure.test'], raw: RAW(), accountId: null });
      await runner.runOnce();
      assert.equal(rogue.messages.length, 0, 'the unlisted MX got nothing');
      assert.equal(right.messages.length, 2, 'the listed one did');
    } finally {
      await rogue.close();
    }
  });

  test('the policy is cached for max_age: not fetched again for the same id, and still enforced when its TXT record and host are gone (RFC 8461 §5.1)', async () => {
    dns.set('secure.test', [{ type: 'MX', data: { preference: 10, exchange: 'mx.secure.test' } }]);
    ports['mx.secure.test'] = right.port;
    const fetched = policyFetches;
    const delivered = right.messages.length;
    await h.ctx.store.enqueue({ from: ALICE, recipients: ['bob@secure.test'], raw: RAW(), accountId: null });
    await runner.runOnce();
    assert.equal(right.messages.length, delivered + 1);
    assert.equal(policyFetches, fetched, 'the cached policy (same id) is used, not fetched again');

    // an attacker strips the _mta-sts record and blocks the policy host: the cached policy still holds
    dns.remove('_mta-sts.secure.test');
    policyHostDown = true;
    ports['mx.secure.test'] = wrong.port;
    try {
      const item = await h.ctx.store.enqueue({ from: ALICE, recipients: ['bob@secure.test'], raw: RAW(), accountId: null });
      await runner.runOnce();
      assert.equal(wrong.messages.length, 0, 'no downgrade to unverified TLS');
      assert.match((await h.ctx.store.getQueueItem(item.id))?.lastError ?? '', /MTA-STS policy of secure\.test \(enforce\)/);
      await h.ctx.store.removeQueueItem(item.id);
    } finally {
      dns.set('_mta-sts.secure.test', [{ type: 'TXT', data: 'v=STSv1; id=20261202' }]);
      policyHostDown = false;
      ports['mx.secure.test'] = right.port;
    }
  });

  test('REQUIRETLS (RFC 8689): never over unverified TLS (returned 5.7.30); delivered with the flag over verified TLS', async () => {
    dns.set('strict.test', [{ type: 'MX', data: { preference: 10, exchange: 'mx.strict.test' } }]);
    dns.set('mx.strict.test', [{ type: 'A', data: '127.0.0.1' }]);
    const selfSigned = await startSink(h.ctx, { tls: ca.selfSigned(['mx.strict.test']) });
    const good = await startSink(h.ctx, { tls: ca.issue(['mx.strict.test']), requireTls: true });
    try {
      ports['mx.strict.test'] = selfSigned.port;
      const a = await h.ctx.store.enqueue({ from: ALICE, recipients: ['x@strict.test'], raw: RAW(), accountId: null });
      await saveEnvelope(h.ctx.store, a.id, { requireTls: true });
      const plain = await h.ctx.store.enqueue({ from: ALICE, recipients: ['y@strict.test'], raw: RAW(), accountId: null });
      await runner.runOnce();
      assert.equal(selfSigned.messages.filter((m) => m.to.includes('x@strict.test')).length, 0, 'REQUIRETLS mail not sent over unverified TLS');
      assert.equal(selfSigned.messages.filter((m) => m.to.includes('y@strict.test')).length, 1, 'ordinary mail goes opportunistically');
      assert.equal(await h.ctx.store.getQueueItem(a.id), null, 'returned, not retried');
      assert.equal(await h.ctx.store.getQueueItem(plain.id), null);
      const dsn = (await mailbox(h, ALICE)).find((m) => m.includes('x@strict.test') && /Action: failed/.test(m));
      assert.ok(dsn, 'failure DSN');
      assert.match(dsn, /^Status: 5\.7\.30$/m);

      ports['mx.strict.test'] = good.port;
      const b = await h.ctx.store.enqueue({ from: ALICE, recipients: ['z@strict.test'], raw: RAW(), accountId: null });
      await saveEnvelope(h.ctx.store, b.id, { requireTls: true });
      await runner.runOnce();
      const got = good.messages.find((m) => m.to.includes('z@strict.test'));
      assert.ok(got, 'delivered over verified TLS');
      assert.equal(got.requireTls, true, 'with REQUIRETLS on MAIL FROM');
    } finally {
      await selfSigned.close();
      await good.close();
    }
  });

  test('DANE (RFC 7672): a DNSSEC-validated TLSA record decides; a mismatch defers, a match delivers (even self-signed)', async () => {
    const { createHash, X509Certificate } = await import('node:crypto');
    const good = ca.selfSigned(['mx.dane.test']);
    const other = ca.selfSigned(['mx.dane.test']);
    const right = await startSink(h.ctx, { tls: good });
    const wrongKey = await startSink(h.ctx, { tls: other });
    const spkiSha256 = createHash('sha256').update(new X509Certificate(good.cert).publicKey.export({ type: 'spki', format: 'der' })).digest();
    try {
      // dane.test is "signed": the test DNS server answers it with the AD bit, as a validating resolver would
      dns.set('dane.test', [{ type: 'MX', data: { preference: 10, exchange: 'mx.dane.test' } }]);
      dns.set('mx.dane.test', [{ type: 'A', data: '127.0.0.1' }]);
      const tlsa = (port: number) => dns.set(`_${port}._tcp.mx.dane.test`, [{ type: 'TLSA', data: { usage: 3, selector: 1, matchingType: 1, certificate: spkiSha256 } }]);
      dns.secure('dane.test');
      ports['mx.dane.test'] = wrongKey.port;
      tlsa(wrongKey.port);
      const item = await h.ctx.store.enqueue({ from: ALICE, recipients: ['d@dane.test'], raw: RAW(), accountId: null });
      await runner.runOnce();
      assert.equal(wrongKey.messages.length, 0, 'not delivered to a key the TLSA record does not name');
      assert.match((await h.ctx.store.getQueueItem(item.id))?.lastError ?? '', /DANE: TLS with mx\.dane\.test failed: certificate matches no TLSA record/);
      ports['mx.dane.test'] = right.port;
      tlsa(right.port);
      await h.ctx.store.updateQueueItem(item.id, { nextAttemptAt: new Date(0) });
      await runner.runOnce();
      assert.equal(right.messages.length, 1, 'delivered: the self-signed key is the one DNSSEC vouches for');
      assert.equal(await h.ctx.store.getQueueItem(item.id), null);
      const report = (await buildReports(h.ctx, dayOf(new Date()))).get('dane.test') as { policies: Array<Record<string, any>> };
      const t = report.policies.find((p) => p.policy['policy-type'] === 'tlsa')!;
      assert.equal(t.summary['total-failure-session-count'], 1);
      assert.equal(t.summary['total-successful-session-count'], 1);
    } finally {
      await right.close();
      await wrongKey.close();
    }
  });

  test('the day\'s TLS report goes to the rua address as gzipped JSON', async () => {
    const sent = await sendTlsReports(h.ctx, dayOf(new Date()), resolverFor(h.ctx.config));
    assert.deepEqual(sent, ['secure.test']);
    await runner.runOnce();
    const msg = rua.messages.find((m) => m.to.includes('tlsrpt@reports.test'));
    assert.ok(msg, 'report delivered');
    const text = msg.raw.toString('latin1');
    assert.match(text, /report-type="tlsrpt"/);
    assert.match(text, /^TLS-Report-Domain: secure\.test/m);
    const b64 = /Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(text)![1]!;
    const json = JSON.parse(gunzipSync(Buffer.from(b64.replace(/\r\n/g, ''), 'base64')).toString()) as { policies: Array<{ summary: Record<string, number> }> };
    const total = json.policies.reduce((n, p) => n + p.summary['total-successful-session-count']!, 0);
    assert.ok(total >= 2, JSON.stringify(json));
  });
});
