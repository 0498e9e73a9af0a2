/**
 * Security review, HTTP: a client that trickles its request (slowloris) is disconnected
 * once the request deadline passes, although it never goes idle; a normal keep-alive
 * client is served as before.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/schema.js';
import type { ServerContext } from '../../src/context.js';
import { createSessionRegistry } from '../../src/net/sessions.js';
import { createLogger } from '../../src/log.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createTlsProvider } from '../../src/net/tls.js';
import { startHttp } from '../../src/http/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-sec-http-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('a request trickled byte by byte is cut off at the request deadline; normal requests work', async () => {
  const cfg = defaultConfig({ hostname: 'mail.example.org', data_dir: dataDir, log: { level: 'silent' } });
  const log = createLogger(cfg);
  const store = createMemoryStore();
  const ctx: ServerContext = {
    config: cfg,
    store,
    auth: createAuthenticator(store, cfg, log),
    tls: await createTlsProvider(cfg, log),
    log,
    shutdown: new AbortController().signal,
    sessions: createSessionRegistry(store, log),
  };
  const l = await startHttp(ctx, { address: '127.0.0.1', port: 0, tls: 'none' }, { requestTimeoutMs: 1000 });
  try {
    const ok = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: l.port, path: '/healthz', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      }).on('error', reject);
    });
    assert.equal(ok, 200);

    const s = net.connect(l.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let closed = false;
    s.on('close', () => (closed = true));
    s.on('error', () => undefined);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // one header byte every 100 ms: never idle, never finished
    for (let i = 0; i < 60 && !closed; i++) {
      s.write('X');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(closed, 'the server still holds a connection trickling its headers after 6 s (deadline 1 s)');
    s.destroy();
  } finally {
    await l.close(100);
    await store.close();
  }
});
