import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
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
import { startHttp, MAX_BODY_BYTES } from '../../../src/http/server.js';
import type { RunningListener } from '../../../src/net/types.js';

const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-http-'));
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
  rmSync(dataDir, { recursive: true, force: true });
});

/** a context on the memory store with example.org hosted, and the HTTP listener on a free port */
async function serve(config: Record<string, unknown> = {}, tls: 'none' | 'implicit' = 'none') {
  const cfg = defaultConfig({ hostname: 'mail.example.org', data_dir: dataDir, log: { level: 'silent' }, ...config });
  const log = createLogger(cfg);
  const store = createMemoryStore();
  await store.addDomain('example.org');
  const ctx: ServerContext = {
    config: cfg,
    store,
    auth: createAuthenticator(store, cfg, log),
    tls: await createTlsProvider(cfg, log),
    log,
    shutdown: new AbortController().signal,
    sessions: createSessionRegistry(store, log),
  };
  const l = await startHttp(ctx, { address: '127.0.0.1', port: 0, tls });
  cleanup.push(async () => {
    await l.close(100);
    await store.close();
  });
  return l;
}

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(l: RunningListener, method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: l.port, method, path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

let l: RunningListener;
before(async () => {
  l = await serve();
});

/** parses XML (or a plist) with python's standard library when python3 is installed */
function python(script: string, input: string): { ok: boolean; out: string } | null {
  const r = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
  if (r.error) return null;
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

test('GET /healthz', async () => {
  const r = await request(l, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok');
});

test('unknown path 404, wrong method 405 with Allow', async () => {
  assert.equal((await request(l, 'GET', '/nope')).status, 404);
  const r = await request(l, 'GET', '/autodiscover/autodiscover.xml');
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'POST');
  assert.equal((await request(l, 'DELETE', '/healthz')).status, 405);
});

test('Thunderbird autoconfig lists TLS listeners, implicit TLS first, never port 25', async () => {
  const r = await request(l, 'GET', '/mail/config-v1.1.xml?emailaddress=anna%40example.org');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type']!, /^application\/xml/);
  const body = r.body;
  assert.match(body, /<clientConfig version="1.1">/);
  assert.match(body, /<emailProvider id="example.org">/);
  const servers = [...body.matchAll(/<(incoming|outgoing)Server type="(\w+)">\s*<hostname>([^<]+)<\/hostname>\s*<port>(\d+)<\/port>\s*<socketType>(\w+)<\/socketType>/g)].map(
    (m) => `${m[2]} ${m[3]}:${m[4]} ${m[5]}`,
  );
  assert.deepEqual(servers, [
    'imap mail.example.org:2993 SSL',
    'imap mail.example.org:2143 STARTTLS',
    'pop3 mail.example.org:2995 SSL',
    'pop3 mail.example.org:2110 STARTTLS',
    'smtp mail.example.org:2465 SSL',
    'smtp mail.example.org:2587 STARTTLS',
  ]);
  assert.match(body, /<username>%EMAILADDRESS%<\/username>/);
  assert.ok(!body.includes('2525'));
  const parsed = python('import sys,xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())', body);
  if (parsed) assert.ok(parsed.ok, parsed.out);
});

test('autoconfig: .well-known path takes the domain from the Host header', async () => {
  const r = await request(l, 'GET', '/.well-known/autoconfig/mail/config-v1.1.xml', { headers: { Host: 'autoconfig.example.org:8080' } });
  assert.equal(r.status, 200);
  assert.match(r.body, /<domain>example.org<\/domain>/);
});

test('autoconfig: unknown domain 404, malformed address 400', async () => {
  assert.equal((await request(l, 'GET', '/mail/config-v1.1.xml?emailaddress=a%40elsewhere.test')).status, 404);
  assert.equal((await request(l, 'GET', '/mail/config-v1.1.xml?emailaddress=not-an-address')).status, 400);
  assert.equal((await request(l, 'GET', '/mail/config-v1.1.xml?emailaddress=%3Cx%3E%40example.org')).status, 400);
});

test('disabled and plaintext listeners are not advertised', async () => {
  const l2 = await serve({ listeners: { pop3: { enabled: false }, pop3s: { enabled: false }, imap: { tls: 'none' }, submissions: { port: 465 } } });
  const r = await request(l2, 'GET', '/mail/config-v1.1.xml?emailaddress=anna%40example.org');
  assert.ok(!r.body.includes('type="pop3"'));
  assert.ok(!r.body.includes('2143'));
  assert.match(r.body, /<port>465<\/port>/);
});

const pox = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;

test('Outlook POX Autodiscover', async () => {
  const r = await request(l, 'POST', '/Autodiscover/Autodiscover.xml', { body: pox('a&amp;b@Example.org'), headers: { 'Content-Type': 'text/xml' } });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /<Response xmlns="http:\/\/schemas.microsoft.com\/exchange\/autodiscover\/outlook\/responseschema\/2006a">/);
  const protocols = [...r.body.matchAll(/<Type>(\w+)<\/Type>\s*<Server>([^<]+)<\/Server>\s*<Port>(\d+)<\/Port>[\s\S]*?<Encryption>(\w+)<\/Encryption>/g)].map(
    (m) => `${m[1]} ${m[2]}:${m[3]} ${m[4]}`,
  );
  assert.deepEqual(protocols, ['IMAP mail.example.org:2993 SSL', 'POP3 mail.example.org:2995 SSL', 'SMTP mail.example.org:2465 SSL']);
  assert.match(r.body, /<LoginName>a&amp;b@Example.org<\/LoginName>/, 'XML-escaped');
  const parsed = python('import sys,xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())', r.body);
  if (parsed) assert.ok(parsed.ok, parsed.out);
});

test('Autodiscover: bad requests, unknown domains, oversized bodies', async () => {
  assert.equal((await request(l, 'POST', '/autodiscover/autodiscover.xml', { body: 'hello' })).status, 400);
  assert.equal((await request(l, 'POST', '/autodiscover/autodiscover.xml', { body: pox('nobody') })).status, 400);
  assert.equal((await request(l, 'POST', '/autodiscover/autodiscover.xml', { body: pox('a@elsewhere.test') })).status, 404);
  const big = pox('a@example.org') + ' '.repeat(MAX_BODY_BYTES);
  assert.equal((await request(l, 'POST', '/autodiscover/autodiscover.xml', { body: big })).status, 413);
  // chunked, no Content-Length
  const r = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: l.port, method: 'POST', path: '/autodiscover/autodiscover.xml', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    for (let i = 0; i < 80; i++) req.write('x'.repeat(1024));
    req.end();
  });
  assert.equal(r, 413);
});

test('Apple mobileconfig', async () => {
  const r = await request(l, 'GET', '/apple/mobileconfig?email=anna%40example.org');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type']!, /^application\/x-apple-aspen-config/);
  assert.match(r.headers['content-disposition']!, /attachment; filename="anna@example.org.mobileconfig"/);
  assert.match(r.body, /<key>IncomingMailServerPortNumber<\/key>\s*<integer>2993<\/integer>/);
  assert.match(r.body, /<key>OutgoingMailServerPortNumber<\/key>\s*<integer>2465<\/integer>/);
  assert.match(r.body, /<key>PayloadType<\/key>\s*<string>com.apple.mail.managed<\/string>/);
  const again = await request(l, 'GET', '/apple/mobileconfig?email=anna%40example.org');
  assert.equal(again.body, r.body, 'stable UUIDs');
  const parsed = python(
    [
      'import sys, plistlib',
      'p = plistlib.loads(sys.stdin.buffer.read())',
      'm = p["PayloadContent"][0]',
      'assert p["PayloadType"] == "Configuration"',
      'assert m["EmailAccountType"] == "EmailTypeIMAP" and m["IncomingMailServerUseSSL"] is True',
      'print(m["IncomingMailServerHostName"], m["IncomingMailServerPortNumber"], m["OutgoingMailServerUsername"])',
    ].join('\n'),
    r.body,
  );
  if (parsed) {
    assert.ok(parsed.ok, parsed.out);
    assert.equal(parsed.out.trim(), 'mail.example.org 2993 anna@example.org');
  }
  assert.equal((await request(l, 'GET', '/apple/mobileconfig')).status, 400);
  assert.equal((await request(l, 'GET', '/apple/mobileconfig?email=x%40elsewhere.test')).status, 404);
});

test('malformed HTTP gets 400 without hurting the server', async () => {
  const s = net.connect(l.port, '127.0.0.1');
  await once(s, 'connect');
  s.write('NOT HTTP AT ALL\r\n\r\n');
  const chunks: Buffer[] = [];
  s.on('data', (c) => chunks.push(c));
  await once(s, 'close');
  assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1.1 400/);
  assert.equal((await request(l, 'GET', '/healthz')).status, 200);
});

test('close ends idle keep-alive connections', async () => {
  const l3 = await serve();
  const agent = new http.Agent({ keepAlive: true });
  const r = await new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: l3.port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject);
  });
  assert.equal(r, 200);
  assert.equal(l3.connections.size, 1, 'kept alive');
  await l3.close(30_000);
  assert.equal(l3.connections.size, 0);
  agent.destroy();
});

test('HTTPS on an implicit-TLS http listener', async () => {
  const l4 = await serve({}, 'implicit');
  const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port: l4.port, path: '/healthz', rejectUnauthorized: false, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok');
});
