/**
 * Security review, POP3: a client that pipelines far ahead while its session is blocked
 * (here: it does not read a large RETR) cannot make the server buffer its commands without
 * bound. Lines are at most limits.line_length, but 1000 of them (the old queue bound) are
 * 64 MiB with the default limit; the queue is now also bounded in bytes. A client that stops
 * reading is timed out like an idle one; connections are capped per listener.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestContext } from '../helpers/context.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { RawClient } from './raw.js';

test('POP3 stops reading a pipelining client once its queued commands pass a byte bound', { timeout: 60_000 }, async () => {
  const t = await makeTestContext({
    config: { auth: { plaintext_allowed_from: ['127.0.0.1'] }, limits: { line_length: 65536 } },
  });
  try {
    const account = await t.addUser('alice@example.test', 'pw-alice-123');
    const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
    const big = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(20 * 1024 * 1024, 'x\r\n')]);
    await t.ctx.store.append(account.id, inbox.id, { raw: big });
    let serverSocket: import('node:net').Socket | undefined;
    const l = await t.listen('pop3', 'none', (s, i) => {
      serverSocket = s as import('node:net').Socket;
      handlePop3Connection(s, i, t.ctx);
    });
    const c = await RawClient.connect(l.port);
    await c.expect((x) => x.includes('\r\n'), 'greeting');
    c.write('USER alice@example.test\r\nPASS pw-alice-123\r\n');
    await c.expect((x) => /\+OK[^\r]*\r\n\+OK[^\r]*\r\n/.test(x), 'login');
    c.take();
    c.socket.pause(); // stop reading: the RETR below blocks the session on a full socket
    c.write('RETR 1\r\n');
    await new Promise((r) => setTimeout(r, 300));
    const line = `NOOP ${'a'.repeat(60_000)}\r\n`;
    const total = 48 * 1024 * 1024;
    let sent = 0;
    while (sent < total) {
      c.socket.write(line);
      sent += line.length;
    }
    // wait until the flow stops (the server paused, or took everything)
    let last = -1;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const read = serverSocket!.bytesRead;
      if (read === last) break;
      last = read;
    }
    const read = serverSocket!.bytesRead;
    assert.ok(read < 16 * 1024 * 1024, `server read ${(read / 1048576).toFixed(1)} MiB of pipelined commands while blocked`);
    c.destroy();
  } finally {
    await t.close();
  }
});

test('POP3 closes a client that stops reading its responses after limits.pop3_idle_timeout_s (issue 9 item 4)', { timeout: 60_000 }, async () => {
  const t = await makeTestContext({
    config: { auth: { plaintext_allowed_from: ['127.0.0.1'] }, limits: { pop3_idle_timeout_s: 1 } },
  });
  try {
    const account = await t.addUser('alice@example.test', 'pw-alice-123');
    const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
    await t.ctx.store.append(account.id, inbox.id, { raw: Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(8 * 1024 * 1024, 'x\r\n')]) });
    const l = await t.listen('pop3', 'none', (s, i) => handlePop3Connection(s, i, t.ctx));
    const c = await RawClient.connect(l.port);
    await c.expect((x) => x.includes('\r\n'), 'greeting');
    c.write('USER alice@example.test\r\nPASS pw-alice-123\r\n');
    await c.expect((x) => /\+OK[^\r]*\r\n\+OK[^\r]*\r\n/.test(x), 'login');
    c.socket.pause(); // never read again
    c.write('RETR 1\r\nRETR 1\r\nRETR 1\r\n');
    // the session is busy writing (not waiting for a command), so only a write timeout ends it
    let open = l.connections.size;
    for (let i = 0; i < 100 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = l.connections.size;
    }
    assert.equal(open, 0, 'the server closed the connection of the client that stopped reading');
    c.destroy();
  } finally {
    await t.close();
  }
});

test('connections are capped per listener, whatever their addresses (limits.connections_per_listener, issue 9 item 4)', async () => {
  const t = await makeTestContext({ config: { limits: { connections_per_listener: 3, connections_per_ip: 100 } } });
  try {
    const l = await t.listen('pop3', 'none', (s, i) => handlePop3Connection(s, i, t.ctx));
    const kept: RawClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(l.port);
      await c.expect((x) => /^\+OK/.test(x), 'greeting');
      kept.push(c);
    }
    const extra = await RawClient.connect(l.port);
    assert.ok(await extra.waitClosed(), 'the fourth connection is closed');
    assert.doesNotMatch(extra.text, /^\+OK/, 'and never greeted');
    assert.equal(l.connections.size, 3);
    kept.pop()!.destroy();
    for (let i = 0; i < 50 && l.connections.size > 2; i++) await new Promise((r) => setTimeout(r, 50));
    const again = await RawClient.connect(l.port);
    await again.expect((x) => /^\+OK/.test(x), 'a free slot is usable again');
    for (const c of [...kept, again]) c.destroy();
  } finally {
    await t.close();
  }
});
