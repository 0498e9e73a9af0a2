/** COMPRESS=DEFLATE (RFC 4978) over a socket: raw DEFLATE both ways after the tagged OK. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { msg, PASS, seed, startServer, USER, type ImapServer } from './harness.js';

/** a client speaking DEFLATE: collects the inflated text */
async function compressedSession(port: number): Promise<{ send(line: string): void; until(re: RegExp): Promise<string>; close(): void }> {
  const sock = net.connect(port, '127.0.0.1');
  let plain = '';
  let text = '';
  let inflate: zlib.InflateRaw | null = null;
  const deflate = zlib.createDeflateRaw();
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  sock.on('data', (b) => {
    if (inflate) inflate.write(b);
    else {
      plain += b.toString('latin1');
      wake();
    }
  });
  const waitFor = async (get: () => string, re: RegExp): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (!re.test(get())) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(get().slice(-300))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return get();
  };
  await waitFor(() => plain, /^\* OK.*\r\n/);
  sock.write(`a LOGIN ${USER} "${PASS}"\r\nb COMPRESS DEFLATE\r\n`);
  await waitFor(() => plain, /\r\nb OK DEFLATE active\r\n/);
  inflate = zlib.createInflateRaw();
  inflate.on('data', (d: Buffer) => {
    text += d.toString('utf8');
    wake();
  });
  deflate.on('data', (d: Buffer) => sock.write(d));
  return {
    send(line) {
      deflate.write(line + '\r\n');
      deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    },
    until: (re) => waitFor(() => text, re),
    close: () => sock.destroy(),
  };
}

describe('imap COMPRESS=DEFLATE', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', Array.from({ length: 50 }, (_, i) => msg(`message ${i}`, 'x'.repeat(2000) + '\r\n')));
  });
  after(() => server.close());

  it('carries every later command and response compressed; a second COMPRESS is NO [COMPRESSIONACTIVE]', async () => {
    const c = await compressedSession(server.port);
    try {
      c.send('c1 CAPABILITY');
      assert.match(await c.until(/c1 OK/), /\* CAPABILITY .*COMPRESS=DEFLATE/);
      c.send('c2 SELECT INBOX');
      await c.until(/c2 OK \[READ-WRITE\]/);
      c.send('c3 FETCH 1:* (BODY.PEEK[])');
      const all = await c.until(/c3 OK FETCH completed/);
      assert.equal(all.match(/\* \d+ FETCH \(BODY\[\] \{/g)?.length, 50);
      c.send('c4 COMPRESS DEFLATE');
      assert.match(await c.until(/c4 (OK|NO|BAD).*\r\n/), /c4 NO \[COMPRESSIONACTIVE\]/);
      c.send('c5 LOGOUT');
      await c.until(/c5 OK/);
    } finally {
      c.close();
    }
  });

  it('refuses an unknown algorithm and COMPRESS before login', async () => {
    const c = await server.connect();
    await c.readLine();
    assert.match((await c.command('x1 COMPRESS DEFLATE')).tagged, /^x1 BAD COMPRESS is not valid in this state/);
    await c.command(`l LOGIN ${USER} "${PASS}"`);
    assert.match((await c.command('x2 COMPRESS GZIP')).tagged, /^x2 BAD Unknown compression algorithm GZIP/);
  });
});
