import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';
import { createTlsProvider, makeSelfSigned, sniLookup, TlsConfigError } from '../../../src/net/tls.js';
import { listen } from '../../../src/net/listener.js';
import type { TlsProvider } from '../../../src/net/types.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'letterbox-tls-'));
  dirs.push(d);
  return d;
};
const log = createLogger(defaultConfig({ log: { level: 'silent' } }));

/** connects with the given client options to an implicit-TLS listener; resolves with protocol and peer CN */
async function handshake(provider: TlsProvider, clientOpts: tls.ConnectionOptions) {
  const l = await listen({ name: 'test', address: '127.0.0.1', port: 0, tls: 'implicit', maxConnectionsPerIp: 10 }, provider, (s) => s.end('hi\r\n'), log);
  try {
    return await new Promise<{ protocol: string | null; cn: string | undefined }>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port: l.port, rejectUnauthorized: false, ...clientOpts }, () => {
        const out = { protocol: c.getProtocol(), cn: c.getPeerCertificate().subject?.CN as string | undefined };
        c.end();
        resolve(out);
      });
      c.on('error', reject);
    });
  } finally {
    await l.close(100);
  }
}

test('self-signed certificate is created in data_dir/tls once and reused', async () => {
  const dir = join(tempDir(), 'nested-data');
  const config = defaultConfig({ hostname: 'mail.example.test', data_dir: dir });
  await createTlsProvider(config, log);
  const certPath = join(dir, 'tls', 'cert.pem');
  assert.ok(existsSync(certPath));
  assert.equal(statSync(join(dir, 'tls', 'key.pem')).mode & 0o077, 0, 'key readable by owner only');
  const first = readFileSync(certPath, 'utf8');
  const x = new X509Certificate(first);
  assert.equal(x.checkHost('mail.example.test'), 'mail.example.test');
  await createTlsProvider(config, log);
  assert.equal(readFileSync(certPath, 'utf8'), first, 'reused on the next start');
  // a new hostname makes a new certificate
  await createTlsProvider(defaultConfig({ hostname: 'other.example.test', data_dir: dir }), log);
  const third = readFileSync(certPath, 'utf8');
  assert.notEqual(third, first);
  assert.ok(new X509Certificate(third).checkHost('other.example.test'));
});

test('configured certificate: unreadable paths and half-configured pairs are clear errors', async () => {
  const dir = tempDir();
  await assert.rejects(
    createTlsProvider(defaultConfig({ data_dir: dir, tls: { cert: join(dir, 'nope.pem'), key: join(dir, 'nope.key') } }), log),
    (err: Error) => err instanceof TlsConfigError && /tls\.cert/.test(err.message) && err.message.includes('nope.pem'),
  );
  await assert.rejects(createTlsProvider(defaultConfig({ data_dir: dir, tls: { cert: join(dir, 'c.pem') } }), log), /tls\.key/);
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate');
  await assert.rejects(
    createTlsProvider(defaultConfig({ data_dir: dir, tls: { cert: join(dir, 'garbage.pem'), key: join(dir, 'garbage.pem') } }), log),
    /not a usable PEM/,
  );
});

test('TLS 1.2 and 1.3 accepted, TLS 1.1 refused', async () => {
  const provider = await createTlsProvider(defaultConfig({ hostname: 'mail.example.test', data_dir: tempDir() }), log);
  assert.equal((await handshake(provider, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  assert.equal((await handshake(provider, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
  // SECLEVEL=0 lets the client offer TLS 1.1 at all; the server must refuse it
  await assert.rejects(handshake(provider, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }));
  assert.equal(provider.serverOptions().minVersion, 'TLSv1.2');
});

test('SNI picks the configured certificate: exact, wildcard, default', async () => {
  const dir = tempDir();
  const write = async (name: string) => {
    const pem = await makeSelfSigned(name);
    writeFileSync(join(dir, `${name}.crt`), pem.cert);
    writeFileSync(join(dir, `${name}.key`), pem.key);
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const config = defaultConfig({
    hostname: 'mail.example.test',
    data_dir: dir,
    tls: { sni: { 'imap.other.test': await write('imap.other.test'), '*.wild.test': await write('star.wild.test') } },
  });
  const provider = await createTlsProvider(config, log);
  assert.equal((await handshake(provider, { servername: 'imap.other.test' })).cn, 'imap.other.test');
  assert.equal((await handshake(provider, { servername: 'IMAP.Other.Test' })).cn, 'imap.other.test');
  assert.equal((await handshake(provider, { servername: 'pop.wild.test' })).cn, 'star.wild.test');
  assert.equal((await handshake(provider, { servername: 'a.b.wild.test' })).cn, 'mail.example.test', 'wildcard covers one label');
  assert.equal((await handshake(provider, { servername: 'unknown.test' })).cn, 'mail.example.test');
});

test('sniLookup', () => {
  const t = new Map([['a.test', 1], ['*.b.test', 2]]);
  assert.equal(sniLookup(t, 'a.test.'), 1);
  assert.equal(sniLookup(t, 'x.b.test'), 2);
  assert.equal(sniLookup(t, 'b.test'), undefined);
  assert.equal(sniLookup(t, 'c.test'), undefined);
});

test('reload picks up renewed certificate files and keeps the old ones when the new are broken', async () => {
  const dir = tempDir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const install = (pem: { cert: string; key: string }, when: number) => {
    writeFileSync(cert, pem.cert);
    writeFileSync(key, pem.key);
    utimesSync(cert, when, when);
    utimesSync(key, when, when);
  };
  install(await makeSelfSigned('one.example.test'), 1_000_000);
  const provider = await createTlsProvider(defaultConfig({ data_dir: dir, tls: { cert, key } }), log, { reloadCheckMs: 0 });
  assert.equal((await handshake(provider, {})).cn, 'one.example.test');
  assert.equal(await provider.reload(), false, 'nothing changed');
  install(await makeSelfSigned('two.example.test'), 2_000_000);
  assert.equal(await provider.reload(), true);
  assert.equal((await handshake(provider, {})).cn, 'two.example.test');
  assert.equal((await handshake(provider, { servername: 'two.example.test' })).cn, 'two.example.test');
  assert.match(provider.serverOptions().cert as string, /BEGIN CERTIFICATE/);
  install({ cert: 'garbage', key: 'garbage' }, 3_000_000);
  assert.equal(await provider.reload(), false);
  assert.equal((await handshake(provider, {})).cn, 'two.example.test');
  provider.close();
});

test('an unusable data_dir is a clear error', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'file'), 'not a directory');
  await assert.rejects(
    createTlsProvider(defaultConfig({ data_dir: join(dir, 'file', 'data') }), log),
    (err: Error) => err instanceof TlsConfigError && /data_dir/.test(err.message),
  );
});

test('an IP address as hostname gets an IP entry and is reused', async () => {
  const dir = tempDir();
  const config = defaultConfig({ hostname: '192.0.2.10', data_dir: dir });
  await createTlsProvider(config, log);
  const first = readFileSync(join(dir, 'tls', 'cert.pem'), 'utf8');
  assert.equal(new X509Certificate(first).checkIP('192.0.2.10'), '192.0.2.10');
  await createTlsProvider(config, log);
  assert.equal(readFileSync(join(dir, 'tls', 'cert.pem'), 'utf8'), first);
});
