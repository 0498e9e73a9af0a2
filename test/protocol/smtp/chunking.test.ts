/**
 * CHUNKING and BINARYMIME (RFC 3030) over a real socket: BDAT chunks stored byte-exact
 * (no dot-unstuffing), pipelined chunks, errors that still consume the chunk's bytes,
 * BINARYMIME refusing DATA, the size limit, RSET dropping a half-sent message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient, type Harness } from './harness.js';

async function inbox(h: Harness): Promise<Buffer[]> {
  const a = (await h.ctx.store.getAccount('alice@local.test'))!;
  const mb = (await h.ctx.store.getMailbox(a.id, 'INBOX'))!;
  const metas = await h.ctx.store.getMessages(a.id, mb.id, [[1, Infinity]]);
  return Promise.all(metas.map((m) => h.ctx.store.getRaw(a.id, mb.id, m.uid)));
}

/** the stored copy minus the fields letterbox prepends */
const body = (raw: Buffer, marker: string) => raw.subarray(raw.indexOf(marker));

async function withServer(fn: (h: Harness, port: number) => Promise<void>, config: Record<string, unknown> = {}) {
  const h = await makeHarness({ smtp: { verify_inbound: false }, ...config });
  try {
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('smtp');
    await fn(h, l.port);
  } finally {
    await h.close();
  }
}

test('EHLO offers CHUNKING and BINARYMIME; BDAT chunks are stored byte-exact', () =>
  withServer(async (h, port) => {
    const { client } = await SmtpClient.connect(port);
    const ehlo = await client.cmd('EHLO client.test');
    assert.match(ehlo, /250[- ]CHUNKING/);
    assert.match(ehlo, /250[- ]BINARYMIME/);
    assert.match(await client.cmd('MAIL FROM:<s@remote.test>'), /^250/);
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250/);
    const part1 = 'Subject: chunked\r\nX-Marker: one\r\n\r\n';
    const part2 = '.a line starting with a dot stays as sent\r\n..two dots too\r\n.\r\nnot the end\r\n';
    assert.match(await client.raw(`BDAT ${Buffer.byteLength(part1)}\r\n${part1}`), /^250 2\.0\.0 \d+ octets received/);
    assert.match(await client.raw(`BDAT ${Buffer.byteLength(part2)} LAST\r\n${part2}`), /^250 /);
    client.close();
    const [raw] = await inbox(h);
    assert.ok(raw);
    assert.equal(body(raw, 'Subject: chunked').toString(), part1 + part2);
  }));

test('pipelined BDAT chunks in one write, then a second transaction on the same connection', () =>
  withServer(async (h, port) => {
    const { client } = await SmtpClient.connect(port);
    await client.cmd('EHLO client.test');
    const a = 'Subject: piped\r\n\r\nhello ';
    const b = 'world\r\n';
    const replies: string[] = [];
    replies.push(await client.raw(`MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@local.test>\r\nBDAT ${a.length}\r\n${a}BDAT ${b.length}\r\n${b}BDAT 0 LAST\r\n`));
    for (let i = 0; i < 4; i++) replies.push(await client.reply());
    assert.deepEqual(replies.map((r) => r.slice(0, 3)), ['250', '250', '250', '250', '250'], replies.join(' | '));
    // DATA still works afterwards
    await client.cmd('MAIL FROM:<s@remote.test>');
    await client.cmd('RCPT TO:<alice@local.test>');
    assert.match(await client.data('Subject: plain data\r\n\r\nx\r\n'), /^250/);
    client.close();
    const msgs = await inbox(h);
    assert.ok(msgs.length === 2, msgs.map((m) => m.toString()).join('\n----\n'));
    assert.equal(msgs.length, 2);
    assert.equal(body(msgs[0]!, 'Subject: piped').toString(), a + b);
  }));

test('BDAT without RCPT: 503, and its bytes are not read as commands', () =>
  withServer(async (h, port) => {
    const { client } = await SmtpClient.connect(port);
    await client.cmd('EHLO client.test');
    assert.match(await client.raw('BDAT 6\r\nQUIT\r\n'), /^503 5\.5\.1/);
    assert.match(await client.cmd('NOOP'), /^250/, 'the connection is still open: "QUIT" was data');
    assert.match(await client.cmd('BDAT x'), /^501 5\.5\.4/);
    client.close();
    assert.equal((await inbox(h)).length, 0);
  }));

test('BODY=BINARYMIME: DATA refused, BDAT stores binary bytes', () =>
  withServer(async (h, port) => {
    const { client } = await SmtpClient.connect(port);
    await client.cmd('EHLO client.test');
    assert.match(await client.cmd('MAIL FROM:<s@remote.test> BODY=BINARYMIME'), /^250/);
    assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250/);
    assert.match(await client.cmd('DATA'), /^503 5\.5\.1 .*BDAT/);
    const head = 'Subject: binary\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n';
    const bin = Buffer.from([0, 1, 2, 0x0d, 0x2e, 0x0a, 0xff, 0x00, 0x0a, 0x2e, 0x0d, 0x0a]);
    const msg = Buffer.concat([Buffer.from(head), bin]);
    assert.match(await client.raw(Buffer.concat([Buffer.from(`BDAT ${msg.length} LAST\r\n`), msg])), /^250/);
    client.close();
    const [raw] = await inbox(h);
    assert.ok(raw);
    assert.deepEqual(body(raw, 'Subject: binary'), msg);
  }));

test('BDAT over the size limit: 552 after the last chunk; RSET drops a half-sent message', () =>
  withServer(
    async (h, port) => {
      const { client } = await SmtpClient.connect(port);
      await client.cmd('EHLO client.test');
      await client.cmd('MAIL FROM:<s@remote.test>');
      await client.cmd('RCPT TO:<alice@local.test>');
      const big = 'x'.repeat(3000);
      assert.match(await client.raw(`BDAT 3000\r\n${big}`), /^250/);
      assert.match(await client.raw(`BDAT 3000 LAST\r\n${big}`), /^552/);
      await client.cmd('MAIL FROM:<s@remote.test>');
      await client.cmd('RCPT TO:<alice@local.test>');
      assert.match(await client.raw('BDAT 10\r\nSubject: a'), /^250/);
      assert.match(await client.cmd('RSET'), /^250/);
      assert.match(await client.cmd('MAIL FROM:<s@remote.test>'), /^250/);
      client.close();
      assert.equal((await inbox(h)).length, 0);
    },
    { limits: { message_size: 5000 } },
  ));
