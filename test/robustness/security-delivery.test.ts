/**
 * Security review, issue 9 item 2: a large message on port 25 must not stall the server.
 * The MIME index is computed once per message (not once per recipient), off the event
 * loop, in bounded memory; each recipient's copy gets its Return-Path / Delivered-To /
 * trace fields by offset and stays byte-exact with a correct index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeHarness, SmtpClient } from '../protocol/smtp/harness.js';
import { sqliteStoreStats } from '../../src/store/sqlite/index.js';
import { indexMessage } from '../../src/mime/index.js';

const MiB = 1024 * 1024;

test('port 25: 24 MiB of bare line feeds to three recipients is parsed once, off the event loop; every copy byte-exact', async () => {
  const h = await makeHarness({ limits: { message_size: 32 * MiB }, smtp: { verify_inbound: false } }, 'sqlite');
  try {
    const users = [];
    for (const n of ['alice', 'bob', 'carol']) users.push(await h.addUser(`${n}@local.test`, `pw-${n}-1`));
    const l = await h.start('smtp');
    // what the server receives: the last line ends with the CRLF before the final dot
    const body = Buffer.concat([Buffer.from('From: flood@elsewhere.test\r\nSubject: lines\r\n\r\n'), Buffer.alloc(24 * MiB, 10), Buffer.from('\r\n')]);
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO flood.test');
    assert.match(await client.cmd('MAIL FROM:<flood@elsewhere.test>'), /^250 /);
    for (const u of users) assert.match(await client.cmd(`RCPT TO:<${u.address}>`), /^250 /);
    assert.match(await client.cmd('DATA'), /^354 /);
    // the client lives in this process too: send everything first, then watch the server work
    await new Promise<void>((resolve) => (client as unknown as { socket: import('node:net').Socket }).socket.write(Buffer.concat([body, Buffer.from('.\r\n')]), () => resolve()));
    const before = sqliteStoreStats(h.ctx.store)!;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const reply = await client.reply(120_000);
    delay.disable();
    assert.match(reply, /^250 /);
    const after = sqliteStoreStats(h.ctx.store)!;
    assert.equal(after.parsedInWorkers + after.parsedInline - before.parsedInWorkers - before.parsedInline, 1, 'indexed once for three recipients');
    assert.equal(after.parsedInWorkers - before.parsedInWorkers, 1, 'in a worker thread');
    // the old code indexed each copy on the main thread: 3 × several seconds of blocked event loop
    const maxMs = delay.max / 1e6;
    assert.ok(maxMs < 2000, `the event loop was blocked for ${maxMs.toFixed(0)} ms at once`);
    client.close();

    for (const u of users) {
      const inbox = (await h.ctx.store.getMailbox(u.id, 'INBOX'))!;
      const [m] = await h.ctx.store.getMessagesWithIndex(u.id, inbox.id, [1]);
      const stored = await h.ctx.store.getRaw(u.id, inbox.id, 1);
      assert.ok(stored.subarray(stored.length - body.length).equals(body), `${u.address}: the message bytes unchanged after the prefix`);
      const prefix = stored.subarray(0, stored.length - body.length).toString();
      assert.match(prefix, new RegExp(`^Return-Path: <flood@elsewhere\\.test>\\r\\nDelivered-To: ${u.address.replace('.', '\\.')}\\r\\n[\\s\\S]*Received: `));
      assert.deepEqual(m!.index, indexMessage(stored), `${u.address}: the stored index is the index of the stored copy`);
    }
  } finally {
    await h.close();
  }
});
