/**
 * Security review, POP3: a client that pipelines far ahead while its session is blocked
 * (here: it does not read a large RETR) cannot make the server buffer its commands without
 * bound. Lines are at most limits.line_length, but 1000 of them (the old queue bound) are
 * 64 MiB with the default limit; the queue is now also bounded in bytes.
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
