/**
 * Submission (587 STARTTLS, 465 implicit TLS): AUTH only after TLS, sender ownership,
 * local delivery at once, remote recipients queued, DKIM signature, limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { makeHarness, SmtpClient } from './harness.js';

const msg = (from: string, to = 'bob@local.test') => `From: ${from}\r\nTo: ${to}\r\nSubject: sub\r\n\r\nbody\r\n`;

async function loggedIn(port: number, implicit = false, user = 'alice@local.test', pass = 'pw-alice-1') {
  const { client } = await SmtpClient.connect(port, implicit);
  await client.cmd('EHLO client.test');
  if (!implicit) {
    assert.match(await client.starttls(), /^220 /);
    await client.cmd('EHLO client.test');
  }
  assert.match(await client.authPlain(user, pass), /^235 /);
  return client;
}

test('587: no AUTH before STARTTLS, AUTH after; MAIL without AUTH is 530', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('submission');
    const { client } = await SmtpClient.connect(l.port);
    const ehlo = await client.cmd('EHLO client.test');
    assert.match(ehlo, /STARTTLS/);
    // AUTH is not even advertised before TLS (RFC 4954 §4; Postfix smtpd_tls_auth_only): refused, 5xx
    assert.doesNotMatch(ehlo, /AUTH/);
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^5\d\d /);
    assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^530 /);
    await client.starttls();
    const ehlo2 = await client.cmd('EHLO client.test');
    assert.match(ehlo2, /AUTH PLAIN LOGIN/);
    assert.match(await client.authPlain('alice@local.test', 'wrong'), /^535 5\.7\.8 /);
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^235 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('465 implicit TLS: AUTH LOGIN works', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('submissions');
    const { client, greeting } = await SmtpClient.connect(l.port, true);
    assert.match(greeting, /^220 /);
    assert.doesNotMatch(await client.cmd('EHLO client.test'), /STARTTLS/);
    assert.match(await client.cmd('AUTH LOGIN'), /^334 /);
    assert.match(await client.cmd(Buffer.from('alice@local.test').toString('base64')), /^334 /);
    assert.match(await client.cmd(Buffer.from('pw-alice-1').toString('base64')), /^235 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('plaintext AUTH allowed from configured loopback', async () => {
  const h = await makeHarness({ auth: { plaintext_allowed_from: ['127.0.0.1'] } });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('submission');
    const { client } = await SmtpClient.connect(l.port);
    assert.match(await client.cmd('EHLO client.test'), /AUTH PLAIN LOGIN/);
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^235 /);
    client.close();
  } finally {
    await h.close();
  }
});

test('local recipient delivered at once, remote queued, DKIM-signed, no Sent copy', async () => {
  const h = await makeHarness();
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await h.ctx.store.addDomain('local.test', { selector: 'lb1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    const alice = await h.addUser('alice@local.test', 'pw-alice-1');
    const bob = await h.addUser('bob@local.test', 'pw-bob-1');
    const l = await h.start('submission');
    const client = await loggedIn(l.port);
    assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<bob@local.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<carol@far.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<nobody@local.test>'), /^550 5\.1\.1 /);
    assert.match(await client.data(msg('Alice <alice@local.test>')), /^250 /);
    client.close();
    const inbox = (await h.ctx.store.getMailbox(bob.id, 'INBOX'))!;
    const [meta] = await h.ctx.store.getMessages(bob.id, inbox.id, [[1, Infinity]]);
    const raw = (await h.ctx.store.getRaw(bob.id, inbox.id, meta!.uid)).toString();
    assert.match(raw, /^Return-Path: <alice@local\.test>\r\nDelivered-To: bob@local\.test\r\nDKIM-Signature: [^\r\n]*\r\n(\s[^\r\n]*\r\n)*/);
    assert.match(raw, /d=local\.test/);
    assert.match(raw, /s=lb1/);
    assert.match(raw, /with ESMTPSA/);
    assert.match(raw, /^Message-ID: <[0-9a-f]+@mail\.example\.test>$/m);
    assert.match(raw, /^Date: /m);
    const queue = await h.ctx.store.listQueue();
    assert.equal(queue.length, 1);
    assert.deepEqual(queue[0]!.recipients, ['carol@far.test']);
    assert.equal(queue[0]!.accountId, alice.id);
    const sent = (await h.ctx.store.getSpecialMailbox(alice.id, '\\Sent'))!;
    assert.equal((await h.ctx.store.mailboxStatus(alice.id, sent.id)).messages, 0);
  } finally {
    await h.close();
  }
});

test('owned aliases and plus-addresses may be used as sender', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    await h.ctx.store.addAlias('sales@local.test', ['alice@local.test']);
    const l = await h.start('submission');
    const client = await loggedIn(l.port);
    for (const from of ['sales@local.test', 'alice+news@local.test', 'ALICE@local.test']) {
      assert.match(await client.cmd(`MAIL FROM:<${from}>`), /^250 /, from);
      assert.match(await client.cmd('RCPT TO:<carol@far.test>'), /^250 /);
      assert.match(await client.data(msg(from, 'carol@far.test')), /^250 /, from);
    }
    client.close();
    assert.equal((await h.ctx.store.listQueue()).length, 3);
  } finally {
    await h.close();
  }
});

test('recipients per message and messages per hour are limited', async () => {
  const h = await makeHarness({ limits: { recipients_per_message: 2, messages_per_hour_per_account: 1 } });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('submission');
    const client = await loggedIn(l.port);
    await client.cmd('MAIL FROM:<alice@local.test>');
    assert.match(await client.cmd('RCPT TO:<a@far.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<b@far.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<c@far.test>'), /^452 4\.5\.3 /);
    assert.match(await client.data(msg('alice@local.test', 'a@far.test')), /^250 /);
    assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^450 4\.7\.0 /);
    client.close();
  } finally {
    await h.close();
  }
});
