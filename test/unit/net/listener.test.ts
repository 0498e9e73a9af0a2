import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { createTlsProvider } from '../../../src/net/tls.js';
import { listen } from '../../../src/net/listener.js';
import type { ConnectionHandler, ConnectionInfo, ListenerOptions, RunningListener } from '../../../src/net/types.js';

const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-listener-'));
const logLines: string[] = [];
const log = createLogger(defaultConfig({ log: { level: 'debug' } }), {
  destination: new Writable({
    write(chunk, _e, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  }),
});
const provider = await createTlsProvider(defaultConfig({ hostname: 'mail.example.test', data_dir: dataDir }), log);
const running: RunningListener[] = [];
after(async () => {
  await Promise.all(running.map((l) => l.close(50)));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(opts: Partial<ListenerOptions>, handler: ConnectionHandler) {
  const l = await listen({ name: 'test', address: '127.0.0.1', port: 0, tls: 'none', maxConnectionsPerIp: 10, ...opts }, provider, handler, log);
  running.push(l);
  return l;
}

/** reads from a socket until `pattern` has been seen; resolves with everything read */
function readUntil(socket: net.Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (pattern.test(buf)) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(buf);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function connect(port: number): Promise<net.Socket> {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  return c;
}

test('port 0 reports the real port; handler receives ConnectionInfo', async () => {
  const infos: ConnectionInfo[] = [];
  const l = await start({ name: 'imap', tls: 'starttls' }, (s, info) => {
    infos.push(info);
    s.end('* OK\r\n');
  });
  assert.ok(l.port > 0);
  const c = await connect(l.port);
  await readUntil(c, /OK/);
  assert.equal(infos[0]!.listener, 'imap');
  assert.equal(infos[0]!.secure, false);
  assert.equal(infos[0]!.startTls, true);
  assert.equal(infos[0]!.remoteAddress, '127.0.0.1');
  assert.equal(infos[0]!.remotePort, c.localPort);
  assert.ok(infos[0]!.id.length > 0);
  c.destroy();
});

test('per-IP limit: excess connections get onReject, a slot frees when one closes', async () => {
  const l = await start(
    { maxConnectionsPerIp: 2, onReject: (s, reason) => s.end(`-ERR ${reason}\r\n`) },
    (s) => s.write('+OK hello\r\n'),
  );
  const a = await connect(l.port);
  await readUntil(a, /\+OK/);
  const b = await connect(l.port);
  await readUntil(b, /\+OK/);
  const c = await connect(l.port);
  assert.match(await readUntil(c, /\r\n/), /^-ERR too many connections from 127\.0\.0\.1/);
  await once(c, 'close');
  assert.equal(l.connections.size, 2);
  a.destroy();
  while (l.connections.size > 1) await new Promise((r) => setTimeout(r, 10));
  const d = await connect(l.port);
  assert.match(await readUntil(d, /\r\n/), /^\+OK/);
  b.destroy();
  d.destroy();
  assert.ok(logLines.some((line) => line.includes('refused connection')));
});

test('per-IP limit without onReject just closes the connection', async () => {
  const l = await start({ maxConnectionsPerIp: 1 }, (s) => s.write('+OK\r\n'));
  const a = await connect(l.port);
  await readUntil(a, /\+OK/);
  const b = net.connect(l.port, '127.0.0.1');
  b.on('error', () => {});
  const got: Buffer[] = [];
  b.on('data', (d) => got.push(d));
  await once(b, 'close');
  assert.equal(Buffer.concat(got).length, 0);
  a.destroy();
});

test('close waits for connections to finish within the grace period', async () => {
  const l = await start({}, (s) => {
    s.write('hello\r\n');
    s.on('end', () => s.end());
  });
  const c = await connect(l.port);
  await readUntil(c, /hello/);
  let closed = false;
  const closing = l.close(30_000).then(() => (closed = true));
  // no new connections once closing
  const refused = net.connect(l.port, '127.0.0.1');
  await assert.rejects(once(refused, 'connect'), /ECONNREFUSED/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(closed, false, 'still waiting for the open connection');
  c.end();
  await closing;
  assert.equal(l.connections.size, 0);
});

test('close destroys connections still open after the grace period', async () => {
  const l = await start({}, (s) => s.write('hello\r\n'));
  const c = await connect(l.port);
  await readUntil(c, /hello/);
  c.on('error', () => {});
  const clientClosed = once(c, 'close');
  await l.close(100);
  await clientClosed;
  assert.equal(l.connections.size, 0);
});

test('STARTTLS round trip through TlsProvider.upgrade', async () => {
  const l = await start({ tls: 'starttls' }, (s, info) => {
    s.write('* OK ready\r\n');
    s.once('data', async (d) => {
      assert.equal(d.toString(), 'STARTTLS\r\n');
      s.write('A OK begin TLS\r\n');
      const secure = await provider.upgrade(s);
      secure.on('data', (line) => secure.write(`echo ${line.toString().trim()} over ${secure.getProtocol()} secure=${info.startTls}\r\n`));
    });
  });
  const plain = await connect(l.port);
  await readUntil(plain, /ready\r\n/);
  plain.write('STARTTLS\r\n');
  await readUntil(plain, /begin TLS\r\n/);
  const secure = tls.connect({ socket: plain, servername: 'mail.example.test', rejectUnauthorized: false });
  await once(secure, 'secureConnect');
  assert.equal(secure.getPeerCertificate().subject.CN, 'mail.example.test');
  secure.write('NOOP\r\n');
  assert.match(await readUntil(secure, /\r\n/), /^echo NOOP over TLSv1\.[23] secure=true/);
  secure.destroy();
});

test('implicit TLS: failed handshakes are logged, not thrown; good ones work', async () => {
  const l = await start({ tls: 'implicit' }, (s, info) => s.end(`* OK secure=${info.secure}\r\n`));
  const bad = await connect(l.port);
  bad.on('error', () => {});
  bad.write('A1 CAPABILITY\r\n');
  await once(bad, 'close');
  const good = tls.connect({ port: l.port, host: '127.0.0.1', rejectUnauthorized: false });
  assert.match(await readUntil(good, /\r\n/), /secure=true/);
  good.destroy();
  assert.ok(logLines.some((line) => line.includes('TLS handshake with 127.0.0.1 failed')));
});

test('a client reset does not crash the server', async () => {
  const l = await start({}, (s) => {
    const timer = setInterval(() => s.write('x'.repeat(1024)), 1);
    s.on('close', () => clearInterval(timer));
  });
  const c = await connect(l.port);
  await readUntil(c, /x/);
  c.resetAndDestroy();
  while (l.connections.size > 0) await new Promise((r) => setTimeout(r, 10));
  const again = await connect(l.port);
  assert.match(await readUntil(again, /x/), /x/);
  again.destroy();
});

test('a throwing handler closes that connection only', async () => {
  let n = 0;
  const l = await start({}, (s) => {
    if (n++ === 0) throw new Error('boom');
    s.end('fine\r\n');
  });
  const a = net.connect(l.port, '127.0.0.1');
  a.on('error', () => {});
  await once(a, 'close');
  const b = await connect(l.port);
  assert.match(await readUntil(b, /\r\n/), /fine/);
});

test('listening on a busy port is a clear error', async () => {
  const l = await start({}, (s) => s.end());
  await assert.rejects(start({ port: l.port }, (s) => s.end()), /cannot listen on 127\.0\.0\.1:\d+ for listeners\.test: EADDRINUSE/);
});
