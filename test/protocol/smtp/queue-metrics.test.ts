/**
 * The message counters of /metrics (issue 12: received, delivered, queued, deferred,
 * bounced) and the queue-depth gauge, moved by a real submission and a real queue pass to
 * an SMTP sink on loopback: one message for three remote recipients, of which the sink
 * accepts one, refuses one for good (550) and one for now (451).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient, startSink, type Harness, type Sink } from './harness.js';
import { startQueueRunner, type QueueRunner } from '../../../src/smtp/queue/runner.js';
import { tableResolver } from '../../../src/smtp/core/dns.js';
import { createMetrics, type MetricsRegistry } from '../../../src/metrics/registry.js';

const ALICE = 'alice@local.test';
const PASS = 'pw-alice-123';

let h: Harness;
let sink: Sink;
let runner: QueueRunner;
let metrics: MetricsRegistry;

before(async () => {
  h = await makeHarness({ auth: { plaintext_allowed_from: ['127.0.0.1'] } });
  await h.addUser(ALICE, PASS);
  metrics = createMetrics({ storeBytes: async () => null, queueDepth: async () => (await h.ctx.store.listQueue()).length }, { defaultMetrics: false });
  (h.ctx as { metrics?: MetricsRegistry }).metrics = metrics;
  sink = await startSink(h.ctx, { starttls: false, rcpt: (a) => (a.startsWith('bad') ? [550, '5.1.1 no such user'] : a.startsWith('slow') ? [451, '4.3.0 try later'] : null) });
  runner = startQueueRunner(h.ctx, { autoStart: false, resolver: tableResolver({ 'remote.test': { A: ['127.0.0.1'] } }), portFor: () => sink.port, timeoutMs: 3000 });
});
after(async () => {
  await runner.stop();
  await sink.close();
  await h.close();
});

async function value(series: string): Promise<number> {
  const text = (await metrics.scrape()).body;
  const re = new RegExp(`^${series.replace(/[{}"=,]/g, (m) => `\\${m}`)} (\\S+)$`, 'm');
  return Number(re.exec(text)?.[1] ?? 0);
}

test('a submission and one queue pass move received, queued, delivered, bounced and deferred, and the queue depth', async () => {
  const l = await h.start('submission', 'none');
  const ev = (e: string) => value(`letterbox_messages_total{event="${e}"}`);
  const before = { received: await ev('received'), queued: await ev('queued'), delivered: await ev('delivered'), bounced: await ev('bounced'), deferred: await ev('deferred') };

  const { client } = await SmtpClient.connect(l.port);
  try {
    await client.cmd('EHLO client.local.test');
    assert.match(await client.authPlain(ALICE, PASS), /^235/);
    assert.match(await client.cmd(`MAIL FROM:<${ALICE}>`), /^250/);
    for (const r of ['ok@remote.test', 'bad@remote.test', 'slow@remote.test']) assert.match(await client.cmd(`RCPT TO:<${r}>`), /^250/);
    assert.match(await client.data(`From: <${ALICE}>\r\nTo: <ok@remote.test>\r\nSubject: counted\r\n\r\nbody\r\n`), /^250/);
  } finally {
    client.close();
  }
  assert.equal(await ev('received'), before.received + 1);
  assert.equal(await ev('queued'), before.queued + 1, 'one queue item for the three remote recipients');
  assert.equal(await value('letterbox_queue_depth'), 1);

  await runner.runOnce();
  assert.equal(sink.messages.length, 1);
  assert.equal(await ev('bounced'), before.bounced + 1, 'bad@: refused for good');
  assert.equal(await ev('deferred'), before.deferred + 1, 'slow@: kept for another attempt');
  // ok@ handed to the remote server, and the failure notice for bad@ stored in alice's INBOX
  assert.equal(await ev('delivered'), before.delivered + 2);
  assert.equal(await value('letterbox_queue_depth'), 1, 'slow@ still waits');
});
