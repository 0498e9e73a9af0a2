/**
 * Port 25 over a real socket: local delivery with trace fields, unknown users, relay
 * refusal, SIZE, plus-addressing, catch-all, alias to an external address (queued), and
 * Authentication-Results with an offline resolver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient } from './harness.js';

const MSG = 'From: Sender <sender@remote.test>\r\nTo: alice@local.test\r\nSubject: hello\r\nMessage-ID: <m1@remote.test>\r\n\r\nHi Alice.\r\n';

async function inboxMessages(h: Awaited<ReturnType<typeof makeHarness>>, address: string) {
  const account = (await h.ctx.store.getAccount(address))!;
  const inbox = (await h.ctx.store.getMailbox(account.id, 'INBOX'))!;
  const metas = await h.ctx.store.getMessages(account.id, inbox.id, [[1, Infinity]]);
  return Promise.all(metas.map((m) => h.ctx.store.getRaw(account.id, inbox.id, m.uid)));
}

async function session(port: number) {
  const { client, greeting } = await SmtpClient.connect(port);
  assert.match(greeting, /^220 /);
  const ehlo = await client.cmd('EHLO client.remote.test');
  return { client, ehlo };
}

test('EHLO advertises the extensions of issue #5', async () => {
  const h = await makeHarness();
  try {
    const l = await h.start('smtp');
    const { client, ehlo } = await session(l.port);
    for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', `SIZE ${h.ctx.config.limits.message_size}`])
      assert.ok(ehlo.includes(ext), `EHLO lacks ${ext}: ${ehlo}`);
    assert.ok(!/AUTH/.test(ehlo), 'port 25 must not offer AUTH');
    client.close();
  } finally {
    await h.close();
  }
});

test('local delivery: 250 after the store, bytes kept, trace fields prepended', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
    assert.match(await client.data(MSG), /^250 /);
    client.close();
    const [raw] = await inboxMessages(h, 'alice@local.test');
    assert.ok(raw, 'message stored in INBOX');
    const text = raw.toString('utf8');
    assert.ok(text.endsWith(MSG), 'original bytes kept verbatim at the end');
    const head = text.slice(0, text.length - MSG.length);
    assert.match(head, /^Return-Path: <sender@remote\.test>\r\nDelivered-To: alice@local\.test\r\n/);
    assert.match(head, /Authentication-Results: mail\.example\.test;/);
    assert.match(head, /spf=none/);
    assert.match(head, /Received: from client\.remote\.test \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test \(letterbox\) with ESMTP\r\n\tid \S+ for <alice@local\.test>;/);
  } finally {
    await h.close();
  }
});

test('Received records TLS after STARTTLS', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    assert.match(await client.starttls(), /^220 /);
    await client.cmd('EHLO client.remote.test');
    await client.cmd('MAIL FROM:<sender@remote.test>');
    await client.cmd('RCPT TO:<alice@local.test>');
    assert.match(await client.data(MSG), /^250 /);
    client.close();
    const [raw] = await inboxMessages(h, 'alice@local.test');
    assert.match(raw!.toString(), /with ESMTPS \(TLSv1\.[23]:\S+\)/);
  } finally {
    await h.close();
  }
});

test('unknown local user is 550 5.1.1, foreign domain is 554 5.7.1', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    assert.match(await client.cmd('RCPT TO:<nobody@local.test>'), /^550 5\.1\.1 /);
    assert.match(await client.cmd('RCPT TO:<victim@elsewhere.test>'), /^554 5\.7\.1 /);
    assert.match(await client.cmd('DATA'), /^503 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('SIZE: declared too big is refused at MAIL, actual too big after DATA (552 5.3.4), nothing stored', async () => {
  const h = await makeHarness({ limits: { message_size: 1000 } });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test> SIZE=5000'), /^552 5\.3\.4 /);
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250 /);
    const big = MSG + 'x'.repeat(78) + '\r\n'.repeat(1) + ('y'.repeat(76) + '\r\n').repeat(20);
    assert.match(await client.data(big), /^552 5\.3\.4 /);
    // the session goes on
    assert.match(await client.cmd('NOOP'), /^250 /);
    client.close();
    assert.equal((await inboxMessages(h, 'alice@local.test')).length, 0);
  } finally {
    await h.close();
  }
});

test('plus-addressing and catch-all deliver to the right accounts', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    await h.addUser('bob@other.test', 'pw-bob-1');
    await h.ctx.store.addAlias('@other.test', ['bob@other.test']);
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    assert.match(await client.cmd('RCPT TO:<alice+lists@local.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<whoever@other.test>'), /^250 /);
    assert.match(await client.data(MSG), /^250 /);
    client.close();
    const a = await inboxMessages(h, 'alice@local.test');
    const b = await inboxMessages(h, 'bob@other.test');
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    assert.match(a[0]!.toString(), /^Return-Path: <sender@remote\.test>\r\nDelivered-To: alice@local\.test\r\n/);
    assert.match(b[0]!.toString(), /^Return-Path: <sender@remote\.test>\r\nDelivered-To: bob@other\.test\r\n/);
    // two recipients: no "for <...>" clause
    assert.doesNotMatch(a[0]!.toString(), / for </);
  } finally {
    await h.close();
  }
});

test('an alias with an external destination queues a forwarded copy, local destinations get theirs', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    await h.ctx.store.addAlias('team@local.test', ['alice@local.test', 'carol@far.test']);
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    assert.match(await client.cmd('RCPT TO:<team@local.test>'), /^250 /);
    assert.match(await client.data(MSG), /^250 /);
    client.close();
    assert.equal((await inboxMessages(h, 'alice@local.test')).length, 1);
    const queue = await h.ctx.store.listQueue();
    assert.equal(queue.length, 1);
    assert.deepEqual(queue[0]!.recipients, ['carol@far.test']);
    assert.equal(queue[0]!.from, 'sender@remote.test');
    const raw = (await h.ctx.store.getQueueRaw(queue[0]!.id)).toString();
    assert.ok(raw.endsWith(MSG));
    assert.doesNotMatch(raw, /^Return-Path:/m, 'forwarded copies carry no Return-Path');
  } finally {
    await h.close();
  }
});

test('mailbox over quota: 452 4.2.2 at RCPT', async () => {
  const h = await makeHarness();
  try {
    const alice = await h.addUser('alice@local.test', 'pw-alice-1');
    const inbox = (await h.ctx.store.getMailbox(alice.id, 'INBOX'))!;
    await h.ctx.store.append(alice.id, inbox.id, { raw: Buffer.from(MSG) });
    await h.ctx.store.updateAccount(alice.id, { quotaBytes: 10 });
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^452 4\.2\.2 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('connections per IP are limited (421)', async () => {
  const h = await makeHarness({ limits: { connections_per_ip: 2 } });
  try {
    const l = await h.start('smtp');
    const a = await SmtpClient.connect(l.port);
    const b = await SmtpClient.connect(l.port);
    assert.match(a.greeting, /^220 /);
    assert.match(b.greeting, /^220 /);
    const c = await SmtpClient.connect(l.port);
    // a greeting carries no enhanced code (RFC 2034 §3: only after EHLO)
    assert.match(c.greeting, /^421 .*[Tt]oo many connections/);
    a.client.close();
    b.client.close();
    c.client.close();
  } finally {
    await h.close();
  }
});

test('messages per IP per minute are limited on port 25 (450 4.7.0)', async () => {
  const h = await makeHarness({ limits: { smtp_messages_per_ip_per_minute: 2 } });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    for (let i = 0; i < 2; i++) {
      assert.match(await client.cmd('MAIL FROM:<sender@remote.test>'), /^250 /);
      await client.cmd('RCPT TO:<alice@local.test>');
      assert.match(await client.data(MSG), /^250 /);
    }
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test>'), /^450 4\.7\.0 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('shutdown says 421 to idle sessions', async () => {
  const h = await makeHarness();
  const l = await h.start('smtp');
  const { client } = await session(l.port);
  const closing = l.close(1000);
  const reply = await client.reply();
  assert.match(reply, /^421 /);
  await closing;
  client.close();
  await h.close();
});

test('partial failure: a full mailbox behind an alias is retried from the queue, no bounce; the others get their copy (issue 9 item 8)', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const bob = await h.addUser('bob@local.test', 'pw-bob-1');
    const bobInbox = (await h.ctx.store.getMailbox(bob.id, 'INBOX'))!;
    await h.ctx.store.append(bob.id, bobInbox.id, { raw: Buffer.from(MSG) });
    await h.ctx.store.updateAccount(bob.id, { quotaBytes: MSG.length + 100 }); // room for less than one more copy
    await h.ctx.store.addAlias('both@local.test', ['alice@local.test', 'bob@local.test']);
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    assert.match(await client.cmd('RCPT TO:<both@local.test>'), /^250 /, 'not every mailbox behind the alias is full');
    assert.match(await client.data(MSG), /^250 /);
    client.close();
    assert.equal((await inboxMessages(h, 'alice@local.test')).length, 1);
    assert.equal((await inboxMessages(h, 'bob@local.test')).length, 1, 'bob keeps only the message he had');
    // no DSN to a sender nobody verified (backscatter), and no permanent failure: bob's copy waits in the queue
    const queue = await h.ctx.store.listQueue();
    assert.equal(queue.length, 1);
    assert.equal(queue[0]!.from, 'sender@remote.test');
    assert.deepEqual(queue[0]!.recipients, ['bob@local.test']);
    // room again: the queue runner delivers it here, not over SMTP
    await h.ctx.store.updateAccount(bob.id, { quotaBytes: 0 });
    const { startQueueRunner } = await import('../../../src/smtp/queue/runner.js');
    const runner = startQueueRunner(h.ctx, { autoStart: false });
    await runner.runOnce();
    await runner.stop();
    const bobs = await inboxMessages(h, 'bob@local.test');
    assert.equal(bobs.length, 2);
    assert.match(bobs[1]!.toString(), /^Return-Path: <sender@remote\.test>\r\nDelivered-To: bob@local\.test\r\n[\s\S]*Hi Alice\.\r\n$/);
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});

test('partial permanent failure: a DSN only to a sender that passed SPF (issue 9 item 8)', async () => {
  const { tableResolver } = await import('../../../src/smtp/core/dns.js');
  for (const spf of ['pass', 'none'] as const) {
    const h = await makeHarness();
    try {
      await h.addUser('alice@local.test', 'pw-alice-1');
      await h.addUser('bob@local.test', 'pw-bob-1');
      await h.ctx.store.addAlias('both@local.test', ['alice@local.test', 'bob@local.test']);
      const resolver = tableResolver(spf === 'pass' ? { 'remote.test': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] } } : {});
      const l = await h.start('smtp', 'starttls', resolver);
      const { client } = await session(l.port);
      await client.cmd('MAIL FROM:<sender@remote.test>');
      assert.match(await client.cmd('RCPT TO:<both@local.test>'), /^250 /);
      // bob already had it: a forwarding loop for bob (permanent), alice gets her copy
      assert.match(await client.data(`Delivered-To: bob@local.test\r\n${MSG}`), /^250 /);
      client.close();
      assert.equal((await inboxMessages(h, 'alice@local.test')).length, 1);
      const queue = await h.ctx.store.listQueue();
      if (spf === 'none') assert.equal(queue.length, 0, 'no bounce to an unverified sender');
      else {
        assert.equal(queue.length, 1);
        assert.deepEqual(queue[0]!.recipients, ['sender@remote.test']);
        const dsn = (await h.ctx.store.getQueueRaw(queue[0]!.id)).toString();
        assert.match(dsn, /^Final-Recipient: rfc822; bob@local\.test$/m);
        assert.match(dsn, /^Status: 5\.6\.0$/m);
      }
    } finally {
      await h.close();
    }
  }
});

test('RCPT TO: a recipient whose mailbox cannot take the declared SIZE is 452 4.2.2 before any data (issue 9 item 8)', async () => {
  const h = await makeHarness();
  try {
    const bob = await h.addUser('bob@local.test', 'pw-bob-1');
    await h.ctx.store.updateAccount(bob.id, { quotaBytes: 5000 });
    const l = await h.start('smtp');
    const { client } = await session(l.port);
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test> SIZE=6000'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<bob@local.test>'), /^452 4\.2\.2 /);
    await client.cmd('RSET');
    assert.match(await client.cmd('MAIL FROM:<sender@remote.test> SIZE=3000'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<bob@local.test>'), /^250 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('SPF, DKIM and DMARC pass through the injected resolver', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { dkimSign } = await import('mailauth');
  const { tableResolver } = await import('../../../src/smtp/core/dns.js');
  const { dkimTxtValue } = await import('../../../src/smtp/dnsrecords.js');
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const resolver = tableResolver({
      'remote.test': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] },
      'sel._domainkey.remote.test': { TXT: [[dkimTxtValue(pem)]] },
      '_dmarc.remote.test': { TXT: [['v=DMARC1; p=reject']] },
    });
    const signed = await dkimSign(Buffer.from(MSG), { signatureData: [{ signingDomain: 'remote.test', selector: 'sel', privateKey: pem }] } as never);
    const l = await h.start('smtp', 'starttls', resolver);
    const { client } = await session(l.port);
    await client.cmd('MAIL FROM:<sender@remote.test>');
    await client.cmd('RCPT TO:<alice@local.test>');
    assert.match(await client.data(signed.signatures + MSG), /^250 /);
    client.close();
    const [raw] = await inboxMessages(h, 'alice@local.test');
    const text = raw!.toString();
    assert.match(text, /spf=pass/);
    assert.match(text, /dkim=pass/);
    assert.match(text, /dmarc=pass/);
    assert.match(text, /^Received-SPF: pass/m);
  } finally {
    await h.close();
  }
});
