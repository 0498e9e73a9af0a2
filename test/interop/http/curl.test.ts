/** curl against the autoconfiguration endpoints (skipped when curl is not installed). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/config/schema.js';
import type { ServerContext } from '../../../src/context.js';
import { createSessionRegistry } from '../../../src/net/sessions.js';
import { createLogger } from '../../../src/log.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { createTlsProvider } from '../../../src/net/tls.js';
import { startHttp } from '../../../src/http/server.js';

const hasCurl = !spawnSync('curl', ['--version']).error;
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-curl-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('curl: autoconfig, autodiscover and health over HTTPS', { skip: !hasCurl && 'curl not installed' }, async () => {
  const config = defaultConfig({ hostname: 'mail.example.org', data_dir: dataDir, log: { level: 'silent' } });
  const log = createLogger(config);
  const store = createMemoryStore();
  await store.addDomain('example.org');
  const ctx: ServerContext = {
    config,
    store,
    auth: createAuthenticator(store, config, log),
    tls: await createTlsProvider(config, log),
    log,
    shutdown: new AbortController().signal,
    sessions: createSessionRegistry(store, log),
  };
  const l = await startHttp(ctx, { address: '127.0.0.1', port: 0, tls: 'implicit' });
  try {
    const base = `https://127.0.0.1:${l.port}`;
    const health = await run('curl', ['-sk', '--tlsv1.2', '-w', ' %{http_code}', `${base}/healthz`]);
    assert.equal(health.stdout, 'ok 200');
    const ac = await run('curl', ['-sk', `${base}/mail/config-v1.1.xml?emailaddress=anna@example.org`]);
    assert.match(ac.stdout, /<incomingServer type="imap">\s*<hostname>mail.example.org<\/hostname>\s*<port>2993<\/port>/);
    const body =
      '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>' +
      '<EMailAddress>anna@example.org</EMailAddress></Request></Autodiscover>';
    const ad = await run('curl', ['-sk', '-X', 'POST', '-H', 'Content-Type: text/xml', '--data-binary', body, `${base}/autodiscover/autodiscover.xml`]);
    assert.match(ad.stdout, /<Type>SMTP<\/Type>\s*<Server>mail.example.org<\/Server>\s*<Port>2465<\/Port>/);
    const missing = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${base}/nope`]);
    assert.equal(missing.stdout, '404');
  } finally {
    await l.close(100);
    await store.close();
  }
});
