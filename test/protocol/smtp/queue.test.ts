/**
 * The outbound queue against a simulated internet of smtp-server sinks on loopback:
 * accept (STARTTLS), temporary failure, permanent failure, no STARTTLS; MX via a table
 * resolver, ports via portFor. The clock is injected to reach retries, warnings, expiry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { makeHarness, startSink, type Harness, type Sink } from './harness.js';
import { startQueueRunner } from '../../../src/smtp/queue/runner.js';
import { tableResolver } from '../../../src/smtp/core/dns.js';

const RAW = (subject = 'out') => Buffer.from(`From: alice@local.test\r\nTo: x@accept.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@local.test>\r\n\r\nhello\r\n`);

interface Internet {
  sinks: Record<'accept' | 'temp' | 'perm' | 'notls', Sink>;
  deadPort: number;
  resolver: ReturnType<typeof tableResolver>;
  portFor: (host: string) => number | undefined;
  close(): Promise<void>;
}

async function internet(h: Harness): Promise<Internet> {
  const sinks = {
    accept: await startSink(h.ctx),
    temp: await startSink(h.ctx, { rcpt: () => [451, '4.3.0 try again later'] }),
    perm: await startSink(h.ctx, { rcpt: (a) => (a.startsWith('gone') ? [550, '5.1.1 no such user ' + a] : null) }),
    notls: await startSink(h.ctx, { starttls: false }),
  };
  // a port with nothing listening: connection refused
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const mx = (host: string, priority = 10) => ({ exchange: host, priority });
  const resolver = tableResolver({
    'accept.test': { MX: [mx('mx.accept.test')] },
    'temp.test': { MX: [mx('mx.temp.test')] },
    'perm.test': { MX: [mx('mx.perm.test')] },
    'notls.test': { MX: [mx('mx.notls.test')] },
    'backup.test': { MX: [mx('mx2.backup.test', 20), mx('mx1.backup.test', 10)] },
    'implicit.test': { A: ['127.0.0.1'] },
    'nullmx.test': { MX: [mx('.', 0)] },
    'mx.accept.test': { A: ['127.0.0.1'] },
    'mx.temp.test': { A: ['127.0.0.1'] },
    'mx.perm.test': { A: ['127.0.0.1'] },
    'mx.notls.test': { A: ['127.0.0.1'] },
    'mx1.backup.test': { A: ['127.0.0.1'] },
    'mx2.backup.test': { A: ['127.0.0.1'] },
  });
  const ports: Record<string, number> = {
    'mx.accept.test': sinks.accept.port,
    'mx.temp.test': sinks.temp.port,
    'mx.perm.test': sinks.perm.port,
    'mx.notls.test': sinks.notls.port,
    'mx1.backup.test': deadPort,
    'mx2.backup.test': sinks.accept.port,
    'implicit.test': sinks.accept.port,
  };
  return {
    sinks,
    deadPort,
    resolver,
    portFor: (host) => ports[host],
    close: async () => {
      await Promise.all(Object.values(sinks).map((s) => s.close()));
    },
  };
}

async function setup(config: Record<string, unknown> = {}) {
  const h = await makeHarness({ smtp: { retry_base_s: 60, retry_max_s: 200, delay_warning_hours: 4, queue_lifetime_days: 5, ...config } });
  const alice = await h.addUser('alice@local.test', 'pw-alice-1');
  const net = await internet(h);
  let clock: Date | null = null; // null: real time
  const runner = startQueueRunner(h.ctx, { resolver: net.resolver, portFor: net.portFor, autoStart: false, now: () => clock ?? new Date(), timeoutMs: 3000 });
  return {
    h,
    alice,
    net,
    runner,
    setClock(d: Date) {
      clock = d;
    },
    async inbox(address = 'alice@local.test') {
      const acc = (await h.ctx.store.getAccount(address))!;
      const mb = (await h.ctx.store.getMailbox(acc.id, 'INBOX'))!;
      const metas = await h.ctx.store.getMessages(acc.id, mb.id, [[1, Infinity]]);
      return Promise.all(metas.map(async (m) => (await h.ctx.store.getRaw(acc.id, mb.id, m.uid)).toString()));
    },
    async close() {
      await runner.stop();
      await net.close();
      await h.close();
    },
  };
}

test('delivers with STARTTLS, without it, over one connection for several messages', async () => {
  const s = await setup();
  try {
    for (const n of [1, 2, 3]) await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: [`x${n}@accept.test`], raw: RAW('m' + n), accountId: s.alice.id });
    await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['y@notls.test', 'z@implicit.test'], raw: RAW('m4'), accountId: s.alice.id });
    await s.runner.runOnce();
    const accept = s.net.sinks.accept;
    const viaAcceptMx = accept.messages.filter((m) => m.to[0]!.endsWith('@accept.test'));
    assert.equal(viaAcceptMx.length, 3);
    assert.equal(new Set(viaAcceptMx.map((m) => m.connection)).size, 1, 'one connection for the three messages');
    assert.ok(viaAcceptMx.every((m) => m.secure), 'STARTTLS used when offered');
    assert.ok(viaAcceptMx[0]!.raw.toString().endsWith(RAW('m1').toString()), 'bytes delivered verbatim');
    assert.equal(viaAcceptMx[0]!.from, 'alice@local.test');
    assert.equal(s.net.sinks.notls.messages.length, 1);
    assert.equal(s.net.sinks.notls.messages[0]!.secure, false, 'plaintext when STARTTLS is not offered');
    assert.ok(accept.messages.some((m) => m.to[0] === 'z@implicit.test'), 'implicit MX (A record) used');
    assert.equal((await s.h.ctx.store.listQueue()).length, 0);
  } finally {
    await s.close();
  }
});

test('falls back to the next MX when the preferred one is unreachable', async () => {
  const s = await setup();
  try {
    await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['b@backup.test'], raw: RAW(), accountId: s.alice.id });
    await s.runner.runOnce();
    assert.deepEqual(s.net.sinks.accept.messages.map((m) => m.to[0]), ['b@backup.test']);
    assert.equal((await s.h.ctx.store.listQueue()).length, 0);
  } finally {
    await s.close();
  }
});

test('permanent failure: failure DSN (RFC 3464) to the local sender, only for the failed recipient', async () => {
  const s = await setup();
  try {
    await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['ok@perm.test', 'gone@perm.test'], raw: RAW('bounce-me'), accountId: s.alice.id });
    await s.runner.runOnce();
    assert.deepEqual(s.net.sinks.perm.messages.map((m) => m.to), [['ok@perm.test']]);
    assert.equal((await s.h.ctx.store.listQueue()).length, 0);
    const [dsn, ...more] = await s.inbox();
    assert.equal(more.length, 0);
    assert.ok(dsn);
    assert.match(dsn, /^Return-Path: <>\r\n/);
    assert.match(dsn, /^From: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>$/m);
    assert.match(dsn, /^Content-Type: multipart\/report; report-type=delivery-status;/m);
    assert.match(dsn, /^Content-Type: message\/delivery-status$/m);
    assert.match(dsn, /^Reporting-MTA: dns; mail\.example\.test$/m);
    assert.match(dsn, /^Final-Recipient: rfc822; gone@perm\.test$/m);
    assert.doesNotMatch(dsn, /Final-Recipient: rfc822; ok@perm\.test/);
    assert.match(dsn, /^Action: failed$/m);
    assert.match(dsn, /^Status: 5\.1\.1$/m);
    assert.match(dsn, /^Remote-MTA: dns; mx\.perm\.test$/m);
    assert.match(dsn, /^Diagnostic-Code: smtp; 550 5\.1\.1 no such user gone@perm\.test$/m);
    assert.match(dsn, /^Content-Type: text\/rfc822-headers$/m);
    assert.match(dsn, /^Subject: bounce-me$/m);
  } finally {
    await s.close();
  }
});

test('temporary failure: retried with doubling backoff capped at retry_max_s', async () => {
  const s = await setup();
  try {
    const item = await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['a@temp.test'], raw: RAW(), accountId: s.alice.id });
    let t = new Date(item.createdAt.getTime());
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      s.setClock(t);
      await s.runner.runOnce();
      const q = (await s.h.ctx.store.getQueueItem(item.id))!;
      assert.equal(q.attempts, i + 1);
      assert.match(q.lastError ?? '', /451/);
      delays.push((q.nextAttemptAt.getTime() - t.getTime()) / 1000);
      // not due before nextAttemptAt
      s.setClock(new Date(q.nextAttemptAt.getTime() - 1000));
      await s.runner.runOnce();
      assert.equal((await s.h.ctx.store.getQueueItem(item.id))!.attempts, i + 1);
      t = q.nextAttemptAt;
    }
    assert.deepEqual(delays, [60, 120, 200, 200]);
    assert.equal(s.net.sinks.temp.connections, 4);
    assert.equal((await s.inbox()).length, 0, 'no DSN yet');
  } finally {
    await s.close();
  }
});

test('delay warning once after delay_warning_hours, failure DSN at expiry', async () => {
  const s = await setup();
  try {
    const item = await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['a@temp.test'], raw: RAW('slow'), accountId: s.alice.id });
    const hours = (n: number) => new Date(item.createdAt.getTime() + n * 3_600_000);
    s.setClock(hours(1));
    await s.runner.runOnce();
    assert.equal((await s.inbox()).length, 0);
    s.setClock(hours(5));
    await s.runner.runOnce();
    let inbox = await s.inbox();
    assert.equal(inbox.length, 1);
    assert.match(inbox[0]!, /^Action: delayed$/m);
    assert.match(inbox[0]!, /^Status: 4\.3\.0$/m);
    assert.match(inbox[0]!, /^Will-Retry-Until: /m);
    assert.ok((await s.h.ctx.store.getQueueItem(item.id))!.warnedAt);
    s.setClock(hours(8));
    await s.runner.runOnce();
    assert.equal((await s.inbox()).length, 1, 'the warning is sent once');
    s.setClock(hours(5 * 24 + 1));
    await s.runner.runOnce();
    inbox = await s.inbox();
    assert.equal(inbox.length, 2);
    assert.match(inbox[1]!, /^Action: failed$/m);
    assert.match(inbox[1]!, /^Status: 5\.4\.7$/m);
    assert.match(inbox[1]!, /gave up after 5 days/);
    assert.equal(await s.h.ctx.store.getQueueItem(item.id), null);
  } finally {
    await s.close();
  }
});

test('no DSN for the null sender; DSN for a remote sender is queued with <>', async () => {
  const s = await setup();
  try {
    await s.h.ctx.store.enqueue({ from: '', recipients: ['gone@perm.test'], raw: RAW('dsn'), accountId: null });
    await s.runner.runOnce();
    assert.equal((await s.h.ctx.store.listQueue()).length, 0, 'the bounce of a bounce is dropped');
    assert.equal((await s.inbox()).length, 0);

    await s.h.ctx.store.enqueue({ from: 'someone@accept.test', recipients: ['gone@perm.test'], raw: RAW('fwd'), accountId: null });
    await s.runner.runOnce();
    const q = await s.h.ctx.store.listQueue();
    assert.equal(q.length, 1);
    assert.equal(q[0]!.from, '');
    assert.deepEqual(q[0]!.recipients, ['someone@accept.test']);
    await s.runner.runOnce();
    const dsn = s.net.sinks.accept.messages.find((m) => m.to[0] === 'someone@accept.test');
    assert.ok(dsn, 'DSN delivered to the remote sender');
    assert.equal(dsn.from, '');
  } finally {
    await s.close();
  }
});

test('unknown domain and null MX fail permanently at once', async () => {
  const s = await setup();
  try {
    await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['a@nowhere.test', 'b@nullmx.test'], raw: RAW(), accountId: s.alice.id });
    await s.runner.runOnce();
    assert.equal((await s.h.ctx.store.listQueue()).length, 0);
    const [dsn] = await s.inbox();
    assert.match(dsn!, /^Final-Recipient: rfc822; a@nowhere\.test$/m);
    assert.match(dsn!, /^Status: 5\.1\.2$/m);
    assert.match(dsn!, /^Final-Recipient: rfc822; b@nullmx\.test$/m);
    assert.match(dsn!, /^Status: 5\.1\.10$/m);
  } finally {
    await s.close();
  }
});

test('a refusal after DATA applies to every accepted recipient: 5xx bounces, 4xx retries', async () => {
  const s = await setup();
  const permData = await startSink(s.h.ctx, { data: () => [554, '5.6.0 content rejected'] });
  const tempData = await startSink(s.h.ctx, { data: () => [452, '4.3.1 insufficient storage'] });
  try {
    const resolver = tableResolver({
      'pd.test': { MX: [{ exchange: 'mx.pd.test', priority: 1 }] },
      'td.test': { MX: [{ exchange: 'mx.td.test', priority: 1 }] },
      'mx.pd.test': { A: ['127.0.0.1'] },
      'mx.td.test': { A: ['127.0.0.1'] },
    });
    const ports: Record<string, number> = { 'mx.pd.test': permData.port, 'mx.td.test': tempData.port };
    const runner = startQueueRunner(s.h.ctx, { resolver, portFor: (h) => ports[h], autoStart: false });
    await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['a@pd.test', 'b@pd.test'], raw: RAW('p'), accountId: s.alice.id });
    const t = await s.h.ctx.store.enqueue({ from: 'alice@local.test', recipients: ['c@td.test'], raw: RAW('t'), accountId: s.alice.id });
    await runner.runOnce();
    await runner.stop();
    const [dsn, ...rest] = await s.inbox();
    assert.equal(rest.length, 0);
    assert.match(dsn!, /^Final-Recipient: rfc822; a@pd\.test$/m);
    assert.match(dsn!, /^Final-Recipient: rfc822; b@pd\.test$/m);
    assert.match(dsn!, /^Status: 5\.6\.0$/m);
    const q = await s.h.ctx.store.listQueue();
    assert.deepEqual(q.map((i) => i.id), [t.id]);
    assert.equal(q[0]!.attempts, 1);
    assert.match(q[0]!.lastError ?? '', /452 4\.3\.1/);
  } finally {
    await permData.close();
    await tempData.close();
    await s.close();
  }
});
