/**
 * Security review, SMTP open relay (complements test/protocol/smtp/relay-matrix.test.ts):
 * source routes, trailing dots, case and percent-hack with a catch-all, "postmaster",
 * and the queue stays empty throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient } from '../protocol/smtp/harness.js';

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

test('SMTP per-IP message counters forget addresses once their window has passed', async () => {
  const { RateWindow } = await import('../../src/smtp/limits.js');
  let now = 0;
  const w = new RateWindow<string>(5, 60_000, () => now);
  for (let i = 0; i < 5000; i++) w.record(`2001:db8::${i.toString(16)}`);
  assert.equal(w.size, 5000);
  now += 120_000;
  for (let i = 0; i < 1000; i++) w.record('192.0.2.1');
  assert.ok(w.size <= 2, `still tracking ${w.size} addresses whose events are all outside the window`);
  assert.equal(w.allowed('192.0.2.1'), false);
});

test('port 25: messages in flight share a memory budget; over it the sender gets 452 4.3.1 and may retry', { timeout: 60_000 }, async () => {
  const h = await makeHarness({ limits: { message_size: 1024 * 1024, smtp_messages_per_ip_per_minute: 1000 }, smtp: { verify_inbound: false } });
  try {
    const alice = await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const body = `Subject: big\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(1000); // ~1 MB, under message_size
    const open = async () => {
      const { client } = await SmtpClient.connect(l.port);
      await client.cmd('EHLO big.test');
      assert.match(await client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
      assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
      assert.match(await client.cmd('DATA'), /^354 /);
      const sock = (client as unknown as { socket: import('node:net').Socket }).socket;
      sock.write(body);
      return { client, sock };
    };
    // eight messages in flight (not finished) hold ~8.1 MB of the 8 MiB budget (8 × message_size)
    const held = [];
    for (let i = 0; i < 8; i++) held.push(await open());
    await new Promise((r) => setTimeout(r, 500));
    const ninth = await open();
    await new Promise((r) => setTimeout(r, 300));
    ninth.sock.write('.\r\n');
    assert.match(await ninth.client.reply(), /^452 4\.3\.1 /);
    // the held ones complete normally, and their memory is given back
    for (const x of held) {
      x.sock.write('.\r\n');
      assert.match(await x.client.reply(), /^250 /);
      x.client.close();
    }
    assert.match(await ninth.client.cmd('MAIL FROM:<someone@elsewhere.test>'), /^250 /);
    assert.match(await ninth.client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
    assert.match(await ninth.client.data(body), /^250 /);
    ninth.client.close();
    const inbox = (await h.ctx.store.getMailbox(alice.id, 'INBOX'))!;
    assert.equal((await h.ctx.store.mailboxStatus(alice.id, inbox.id)).messages, 9);
  } finally {
    await h.close();
  }
});
