/**
 * ACME against pebble (Debian's `pebble`, RFC 8555 test CA), started here with a private
 * configuration: its HTTPS on a certificate made by this test (and trusted through
 * tls.acme.ca_file), its DNS lookups answered by the in-process test DNS server, its http-01
 * validation sent to letterbox's http listener.
 *
 * letterbox obtains a certificate for its host name, then renews it (due: renew_days is set
 * beyond the certificate's life) after a domain was added, so the new one also names
 * autoconfig.<domain> and mta-sts.<domain>. After each, every TLS listener — implicit TLS
 * (IMAPS, POP3S, SMTPS, HTTPS) and STARTTLS (IMAP, POP3, submission, SMTP), with and without
 * SNI — presents the new certificate, without a restart; the chain verifies against pebble's
 * root. A restart uses the stored certificate without ordering again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has } from '../../helpers/tools.js';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { startWebServer, type WebServer } from '../../helpers/web.js';
import { makeSelfSigned, type ReloadableTlsProvider } from '../../../src/net/tls.js';
import { loadAcmeCertificate } from '../../../src/net/acme.js';
import { startServer } from '../../../src/cli/server.js';

const HOST = 'mail.acme.test';
const DOMAIN = 'acme.test';
const skip = has('pebble') ? false : 'pebble is not installed (apt-get install pebble)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** reads from a plain socket until `done` matches what arrived */
function readUntil(s: net.Socket, done: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${done}; got ${JSON.stringify(buf)}`)), 5000);
    const on = (d: Buffer) => {
      buf += d.toString('latin1');
      if (done.test(buf)) {
        clearTimeout(t);
        s.off('data', on);
        resolve(buf);
      }
    };
    s.on('data', on);
  });
}

/** the leaf certificate a listener presents (SHA-256 fingerprint), over implicit TLS or after STARTTLS */
async function presented(port: number, mode: 'implicit' | 'imap' | 'pop3' | 'smtp' | 'managesieve', servername?: string): Promise<string> {
  let socket: net.Socket | undefined;
  if (mode !== 'implicit') {
    socket = net.connect(port, '127.0.0.1');
    if (mode === 'imap') {
      await readUntil(socket, /\r\n/);
      socket.write('a STARTTLS\r\n');
      await readUntil(socket, /^a OK/m);
    } else if (mode === 'pop3') {
      await readUntil(socket, /\r\n/);
      socket.write('STLS\r\n');
      await readUntil(socket, /^\+OK/m);
    } else if (mode === 'managesieve') {
      await readUntil(socket, /^OK /m);
      socket.write('STARTTLS\r\n');
      await readUntil(socket, /^OK .*\r\n/m);
    } else {
      await readUntil(socket, /^220 /m);
      socket.write('EHLO test.example\r\n');
      await readUntil(socket, /^250 /m);
      socket.write('STARTTLS\r\n');
      await readUntil(socket, /^220 /m);
    }
  }
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket, port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
      const fp = t.getPeerCertificate().fingerprint256;
      t.destroy();
      resolve(fp);
    });
    t.on('error', reject);
  });
}

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('ACME against pebble', { skip }, () => {
  let dir: string;
  let dns: TestDns;
  let pebble: ChildProcess;
  let pebbleLog = '';
  let ca: string;
  let directoryUrl: string;
  let mgmt: number;
  let w: WebServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'letterbox-pebble-'));
    const pem = await makeSelfSigned('localhost');
    writeFileSync(join(dir, 'pebble.pem'), pem.cert);
    writeFileSync(join(dir, 'pebble.key'), pem.key);
    ca = pem.cert;
    const a = { type: 'A' as const, data: '127.0.0.1' };
    dns = await startTestDns({ records: { [HOST]: [a], [`autoconfig.${DOMAIN}`]: [a], [`mta-sts.${DOMAIN}`]: [a], [DOMAIN]: [a] } });
    const [listen, management, http, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    mgmt = management;
    writeFileSync(
      join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${listen}`,
          managementListenAddress: `127.0.0.1:${management}`,
          certificate: join(dir, 'pebble.pem'),
          privateKey: join(dir, 'pebble.key'),
          httpPort: http,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    pebble = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', dns.server], {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pebble.stdout!.on('data', (d: Buffer) => (pebbleLog += d.toString()));
    pebble.stderr!.on('data', (d: Buffer) => (pebbleLog += d.toString()));
    directoryUrl = `https://localhost:${listen}/dir`;
    for (let i = 0; ; i++) {
      try {
        if ((await get(directoryUrl, ca)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (i > 100) throw new Error(`pebble did not start: ${pebbleLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    w = await startWebServer({
      hostname: HOST,
      dns: { servers: [dns.server] },
      tls: { acme: { enabled: true, directory_url: directoryUrl, ca_file: join(dir, 'pebble.pem'), renew_days: 100_000, check_interval_s: 86_400 } },
      listeners: { http: { address: '127.0.0.1', port: http } },
    });
  });

  after(async () => {
    await w?.stop();
    pebble?.kill();
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function everyListenerPresents(fp: string): Promise<void> {
    const checks: Array<[string, number, 'implicit' | 'imap' | 'pop3' | 'smtp' | 'managesieve']> = [
      ['imaps', w.port('imaps'), 'implicit'],
      ['pop3s', w.port('pop3s'), 'implicit'],
      ['submissions', w.port('submissions'), 'implicit'],
      ['https', w.port('https'), 'implicit'],
      ['imap', w.port('imap'), 'imap'],
      ['pop3', w.port('pop3'), 'pop3'],
      ['submission', w.port('submission'), 'smtp'],
      ['smtp', w.port('smtp'), 'smtp'],
      ['managesieve', w.port('managesieve'), 'managesieve'],
    ];
    for (const [name, port, mode] of checks) {
      assert.equal(await presented(port, mode), fp, `${name} without SNI`);
      assert.equal(await presented(port, mode, HOST), fp, `${name} with SNI ${HOST}`);
    }
  }

  test('a certificate is issued over http-01 and every listener presents it; the chain verifies against pebble', async () => {
    const acme = w.server.acme!;
    await acme.check();
    const issued = loadAcmeCertificate(w.dataDir);
    assert.ok(issued, `no certificate; pebble said:\n${pebbleLog.slice(-2000)}`);
    assert.deepEqual(issued.names, [HOST]);
    assert.ok(new X509Certificate(issued.cert).checkHost(HOST));
    await everyListenerPresents(fingerprintOf(issued.cert));
    // pebble's root (management API) verifies what the HTTPS listener sends, intermediate included
    const root = (await get(`https://localhost:${mgmt}/roots/0`, ca)).body;
    await new Promise<void>((resolve, reject) => {
      const t = tls.connect({ port: w.port('https'), host: '127.0.0.1', servername: HOST, ca: root }, () => {
        assert.equal(t.authorized, true);
        t.destroy();
        resolve();
      });
      t.on('error', reject);
    });
    assert.match((w.server.ctx.tls as ReloadableTlsProvider).info()?.source ?? '', /ACME/);
  });

  test('renewal (due, and a domain added): a new certificate with autoconfig. and mta-sts. names, on every listener, no restart', async () => {
    const before = loadAcmeCertificate(w.dataDir)!;
    await w.server.ctx.store.addDomain(DOMAIN);
    assert.equal(await w.server.acme!.check(), true);
    const renewed = loadAcmeCertificate(w.dataDir)!;
    assert.notEqual(fingerprintOf(renewed.cert), fingerprintOf(before.cert));
    assert.deepEqual(renewed.names, [HOST, `autoconfig.${DOMAIN}`, `mta-sts.${DOMAIN}`]);
    const x = new X509Certificate(renewed.cert);
    assert.ok(x.checkHost(`autoconfig.${DOMAIN}`) && x.checkHost(`mta-sts.${DOMAIN}`));
    await everyListenerPresents(fingerprintOf(renewed.cert));
  });

  test('after a restart the stored certificate is used at once, without a new order', async () => {
    const stored = loadAcmeCertificate(w.dataDir)!;
    const config = { ...w.server.ctx.config, tls: { ...w.server.ctx.config.tls, acme: { ...w.server.ctx.config.tls.acme, renew_days: 1 } } };
    await w.server.stop(0);
    const again = await startServer(config, { print: () => {} });
    try {
      const port = again.listeners.find((l) => l.name === 'imaps')!.port;
      assert.equal(await presented(port, 'implicit'), fingerprintOf(stored.cert));
      assert.equal(await again.acme!.check(), false, 'nothing to renew');
    } finally {
      await again.stop(0);
    }
    w.server = again; // stop() in after() is then a no-op on a stopped server
  });
});
