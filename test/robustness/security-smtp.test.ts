/**
 * Security review, SMTP open relay (complements test/protocol/smtp/relay-matrix.test.ts):
 * source routes, trailing dots, case and percent-hack with a catch-all, "postmaster",
 * and the queue stays empty throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient } from '../protocol/smtp/harness.js';
import { smtpSpool } from '../../src/smtp/server.js';
import { MemoryBudget, SPOOL_AFTER } from '../../src/smtp/read.js';

test('port 25: source routes, trailing dots, odd spellings never relay', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const refused = [
      '@local.test:victim@elsewhere.test',
      '@local.test,@other.test:victim@elsewhere.test',
      'victim@elsewhere.test.',
      'victim@ELSEWHERE.TEST',
      'victim@elsewhere.test@local.test',
      'victim!elsewhere.test@local.test',
      'victim@local.test@elsewhere.test',
      'alice@local.test.',
      'victim@xn--lsewhere-x4a.test',
      'postmaster@elsewhere.test',
    ];
    for (const rcpt of refused) {
      const { client } = await SmtpClient.connect(l.port);
      await client.cmd('EHLO relay.test');
      assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
      const r = await client.cmd(`RCPT TO:<${rcpt}>`);
      assert.match(r, /^5\d\d /, `RCPT TO:<${rcpt}> answered ${r}`);
      client.close();
    }
    // our own domain, any case, still works (not refused as relaying)
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO relay.test');
    assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<Alice@LOCAL.Test>'), /^250 /);
    client.close();
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});

test('port 25 with a catch-all: percent-hack and bang paths stay local, nothing is queued', async () => {
  const h = await makeHarness();
  try {
    const alice = await h.addUser('alice@local.test', 'pw-alice-1');
    await h.ctx.store.addAlias('@local.test', ['alice@local.test']);
    const l = await h.start('smtp');
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO relay.test');
    assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
    for (const rcpt of ['victim%elsewhere.test@local.test', 'elsewhere.test!victim@local.test', '"victim@elsewhere.test"@local.test']) {
      const r = await client.cmd(`RCPT TO:<${rcpt}>`);
      assert.match(r, /^(250|5\d\d) /, `RCPT TO:<${rcpt}> answered ${r}`);
    }
    assert.match(await client.data('From: someone@elsewhere.test\r\nSubject: relay?\r\n\r\nx\r\n'), /^250 /);
    client.close();
    assert.equal((await h.ctx.store.listQueue()).length, 0, 'nothing queued for a foreign destination');
    const inbox = (await h.ctx.store.getMailbox(alice.id, 'INBOX'))!;
    assert.equal((await h.ctx.store.mailboxStatus(alice.id, inbox.id)).messages, 1, 'delivered once, to the catch-all');
  } finally {
    await h.close();
  }
});

test('SMTP per-IP message counters expire: two windows after its last message an address is purged from the store', async () => {
  const { sharedCounter } = await import('../../src/store/rate.js');
  const { createMemoryStore } = await import('../../src/store/memory/index.js');
  const store = createMemoryStore();
  const w = sharedCounter(store, 'smtp.rate.ip', 60_000);
  for (let i = 0; i < 500; i++) await w.hit(`2001:db8::${i.toString(16)}`);
  for (let i = 0; i < 5; i++) await w.hit('192.0.2.1');
  assert.equal(await w.count('192.0.2.1'), 5);
  assert.equal((await store.kvList('smtp.rate.ip', null)).length, 501);
  assert.equal(await store.kvPurgeExpired(new Date(Date.now() + 2 * 60_000 + 1000)), 501, 'every address is purged once its windows have passed');
  await store.close();
});

test('port 25: senders stalled before the final dot hold no memory budget; others, and submission, still get 250 (issue 9 item 3)', { timeout: 60_000 }, async () => {
  const h = await makeHarness({
    limits: { message_size: 1024 * 1024, smtp_messages_per_ip_per_minute: 1000 },
    smtp: { verify_inbound: false },
    auth: { plaintext_allowed_from: ['127.0.0.1'] },
  });
  try {
    const alice = await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const sub = await h.start('submission');
    const body = `Subject: big\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(1000); // ~1 MB, under message_size
    const open = async () => {
      const { client } = await SmtpClient.connect(l.port);
      await client.cmd('EHLO big.test');
      assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
      assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
      assert.match(await client.cmd('DATA'), /^354 /);
      const sock = (client as unknown as { socket: import('node:net').Socket }).socket;
      await new Promise<void>((resolve) => sock.write(body, () => resolve()));
      return { client, sock };
    };
    // eight messages of ~1 MB in flight, never finished: the old budget (8 × message_size) was full
    const held = [];
    for (let i = 0; i < 8; i++) held.push(await open());
    const spool = smtpSpool(h.ctx)!;
    for (let i = 0; i < 50 && spool.files < 8; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(spool.files, 8, 'each stalled message went to disk');
    assert.equal(spool.budget.used, 0, 'stalled senders hold none of the memory budget');
    assert.ok(spool.receiving <= 8 * SPOOL_AFTER, `${spool.receiving} bytes held in memory by receiving connections`);
    // a ninth sender on port 25 and an authenticated submission are served
    const ninth = await open();
    ninth.sock.write('.\r\n');
    assert.match(await ninth.client.reply(10_000), /^250 /);
    ninth.client.close();
    const s = (await SmtpClient.connect(sub.port)).client;
    await s.cmd('EHLO laptop.test');
    assert.match(await s.authPlain('alice@local.test', 'pw-alice-1'), /^235 /);
    assert.match(await s.cmd('MAIL FROM:<alice@local.test>'), /^250 /);
    assert.match(await s.cmd('RCPT TO:<alice@local.test>'), /^250 /);
    assert.match(await s.data('From: alice@local.test\r\nSubject: mine\r\n\r\nhello\r\n'), /^250 /);
    s.close();
    // the stalled ones complete normally, byte for byte, and the spool empties
    for (const x of held) {
      x.sock.write('.\r\n');
      assert.match(await x.client.reply(10_000), /^250 /);
      x.client.close();
    }
    const inbox = (await h.ctx.store.getMailbox(alice.id, 'INBOX'))!;
    assert.equal((await h.ctx.store.mailboxStatus(alice.id, inbox.id)).messages, 10);
    const raw = await h.ctx.store.getRaw(alice.id, inbox.id, 10);
    assert.ok(raw.toString('latin1').endsWith(body), 'a spooled message is stored byte-exact');
    assert.equal(spool.files, 0);
    assert.equal(spool.budget.used, 0);
    assert.equal(spool.receiving, 0);
  } finally {
    await h.close();
  }
});

test('port 25: a sender trickling DATA below limits.smtp_min_data_rate is cut off with 421 4.4.2 (issue 9 item 3)', { timeout: 60_000 }, async () => {
  const h = await makeHarness({ limits: { smtp_idle_timeout_s: 1, smtp_min_data_rate: 1000 }, smtp: { verify_inbound: false } });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO slow.test');
    assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
    assert.match(await client.cmd('DATA'), /^354 /);
    const sock = (client as unknown as { socket: import('node:net').Socket }).socket;
    // 100 bytes every 200 ms (500 bytes/s): never idle for the 1 s idle timeout, but too slow
    let sent = 0;
    const trickle = setInterval(() => {
      if (sock.destroyed) return;
      sock.write(`X-Slow-${sent}: ${'y'.repeat(85)}\r\n`);
      sent++;
    }, 200);
    try {
      const reply = await client.reply(20_000);
      assert.match(reply, /^421 4\.4\.2 /);
      assert.ok(sent < 100, `cut off after ${sent} lines`);
    } finally {
      clearInterval(trickle);
      client.close();
    }
  } finally {
    await h.close();
  }
});

test('the memory budget of messages being stored: waiters in order, a message larger than the budget goes alone, a timeout gives up', async () => {
  const b = new MemoryBudget(100);
  assert.equal(await b.acquire(60), true);
  const order: string[] = [];
  const second = b.acquire(60, 5000).then((ok) => order.push(`second ${ok}`));
  const third = b.acquire(30, 5000).then((ok) => order.push(`third ${ok}`)); // fits now, but waits its turn
  assert.equal(b.used, 60);
  b.release(60);
  await Promise.all([second, third]);
  assert.deepEqual(order, ['second true', 'third true']);
  assert.equal(b.used, 90);
  assert.equal(await b.acquire(50, 50), false, 'timed out');
  b.release(90);
  assert.equal(await b.acquire(500, 50), true, 'alone, larger than the budget');
  b.release(500);
  assert.equal(b.used, 0);
});