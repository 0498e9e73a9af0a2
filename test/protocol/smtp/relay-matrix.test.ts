/**
 * The open-relay matrix (issue #5): every unauthenticated relay attempt and every
 * authenticated-but-foreign-sender combination must be refused, and nothing may reach
 * the queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient } from './harness.js';

const body = (from: string) => `From: ${from}\r\nTo: victim@elsewhere.test\r\nSubject: relay?\r\n\r\nx\r\n`;

test('port 25: relaying to foreign domains is refused for every sender', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    const senders = ['alice@local.test', 'someone@elsewhere.test', '', 'postmaster@local.test'];
    const targets = ['victim@elsewhere.test', 'victim@sub.local.test', 'victim@local.test.evil', '"victim@elsewhere.test"@local.test', 'victim%elsewhere.test@local.test', 'victim@[127.0.0.1]'];
    for (const tlsFirst of [false, true]) {
      for (const from of senders) {
        for (const rcpt of targets) {
          const { client } = await SmtpClient.connect(l.port);
          await client.cmd('EHLO relay.test');
          if (tlsFirst) {
            await client.starttls();
            await client.cmd('EHLO relay.test');
          }
          assert.match(await client.cmd(`MAIL FROM:<${from}>`), /^250 /);
          const r = await client.cmd(`RCPT TO:<${rcpt}>`);
          assert.match(r, /^5\d\d /, `relay from <${from}> to <${rcpt}> (tls=${tlsFirst}) answered ${r}`);
          assert.match(await client.cmd('DATA'), /^503 /);
          client.close();
        }
      }
    }
    // AUTH is not available on 25 at all
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO relay.test');
    await client.starttls();
    await client.cmd('EHLO relay.test');
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^5\d\d /);
    client.close();
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});

test('submission without AUTH cannot send anywhere', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    for (const name of ['submission', 'submissions'] as const) {
      const l = await h.start(name);
      const { client } = await SmtpClient.connect(l.port, name === 'submissions');
      await client.cmd('EHLO relay.test');
      if (name === 'submission') {
        await client.starttls();
        await client.cmd('EHLO relay.test');
      }
      assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^530 /);
      assert.match(await client.cmd('RCPT TO:<victim@elsewhere.test>'), /^5\d\d /);
      assert.match(await client.cmd('DATA'), /^5\d\d /);
      assert.match(await client.authPlain('alice@local.test', 'not-the-password'), /^535 /);
      assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^530 /);
      client.close();
    }
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});

test('authenticated but foreign sender: MAIL FROM, From: header, unowned alias, catch-all are refused', async () => {
  const h = await makeHarness();
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    await h.addUser('bob@local.test', 'pw-bob-1');
    await h.ctx.store.addAlias('bobalias@local.test', ['bob@local.test']);
    await h.ctx.store.addAlias('@local.test', ['alice@local.test']);
    const l = await h.start('submission');
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO c.test');
    await client.starttls();
    await client.cmd('EHLO c.test');
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^235 /);

    const foreignEnvelope = ['bob@local.test', 'bobalias@local.test', 'random@local.test', 'ceo@elsewhere.test', 'alice@elsewhere.test', 'bob+alice@local.test'];
    for (const from of foreignEnvelope) {
      assert.match(await client.cmd(`MAIL FROM:<${from}>`), /^553 5\.7\.1 /, `MAIL FROM:<${from}>`);
    }
    assert.match(await client.cmd('MAIL FROM:<>'), /^553 5\.7\.1 /, 'null sender on submission');

    const foreignHeader = ['bob@local.test', 'Bob <bobalias@local.test>', 'random@local.test', 'ceo@elsewhere.test', 'alice@local.test, bob@local.test', 'grp: bob@local.test;'];
    for (const from of foreignHeader) {
      assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^250 /);
      assert.match(await client.cmd('RCPT TO:<victim@elsewhere.test>'), /^250 /);
      assert.match(await client.data(body(from)), /^553 5\.7\.1 /, `From: ${from}`);
    }
    // no From: at all
    assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^250 /);
    assert.match(await client.cmd('RCPT TO:<victim@elsewhere.test>'), /^250 /);
    assert.match(await client.data('Subject: none\r\n\r\nx\r\n'), /^550 5\.6\.0 /);
    client.close();
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});
