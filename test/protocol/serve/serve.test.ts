import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseConfig } from '../../../src/config/load.js';
import { listenErrorMessage, startServer } from '../../../src/cli/server.js';
import { run } from '../../../src/cli/program.js';
import { createLogger } from '../../../src/log.js';
import { makeSelfSigned } from '../../../src/net/tls.js';

const NAMES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https'];

/** one certificate for every server in this file (key generation is the slow part of a start) */
const certDir = mkdtempSync(join(tmpdir(), 'letterbox-serve-cert-'));
const certReady = makeSelfSigned('mail.example.test').then((pair) => {
  writeFileSync(join(certDir, 'cert.pem'), pair.cert);
  writeFileSync(join(certDir, 'key.pem'), pair.key);
  return `[tls]\ncert = "${join(certDir, 'cert.pem')}"\nkey = "${join(certDir, 'key.pem')}"\n`;
});
after(() => rmSync(certDir, { recursive: true, force: true }));

/** every listener on 127.0.0.1, port 0 (the OS picks), memory store, quiet logs */
async function configText(dataDir: string, extra = ''): Promise<string> {
  let t = `hostname = "mail.example.test"\ndata_dir = "${dataDir}"\n[store]\nbackend = "memory"\n[log]\nlevel = "silent"\n`;
  t += await certReady;
  for (const n of NAMES) t += `[listeners.${n}]\naddress = "127.0.0.1"\nport = 0\n`;
  return t + extra;
}

/** Reads from a fresh connection until `pattern` matches (or the socket closes / 5 s pass). */
function greeting(port: number, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no greeting matching ${pattern} on port ${port}; got ${JSON.stringify(buf)}`));
    }, 5000);
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (pattern.test(buf)) {
        clearTimeout(t);
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

test('serve starts every available listener, prints their addresses and the first-start hint, and stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-serve-'));
  const dataDir = join(dir, 'data');
  try {
    const config = parseConfig(await configText(dataDir), join(dir, 'letterbox.toml'), dir);
    const lines: string[] = [];
    const server = await startServer(config, {
      file: join(dir, 'letterbox.toml'),
      print: (l) => lines.push(l),
      log: createLogger(config),
      commandHint: 'letterbox',
    });
    try {
      assert.ok(existsSync(dataDir), 'data_dir is created');
      const text = lines.join('\n');
      assert.ok(server.listeners.length > 0);
      for (const l of server.listeners) {
        assert.ok(l.port > 0);
        assert.match(text, new RegExp(`^  ${l.name}\\s+127\\.0\\.0\\.1:${l.port}\\s+(TLS|STARTTLS|plain)$`, 'm'));
      }
      assert.match(text, /letterbox domain add example\.com/);
      assert.match(text, /letterbox user add alice@example\.com/);

      const by = (n: string) => server.listeners.find((l) => l.name === n);
      if (by('smtp')) assert.match(await greeting(by('smtp')!.port, /^220 .*\r\n/), /^220 mail\.example\.test/);
      if (by('pop3')) assert.match(await greeting(by('pop3')!.port, /\r\n/), /^\+OK/);
      if (by('imap')) assert.match(await greeting(by('imap')!.port, /\r\n/), /^\* OK/);
    } finally {
      await server.stop(1000);
    }
    for (const l of server.listeners) {
      await assert.rejects(greeting(l.port, /./), 'listener closed after stop');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve: a port in use names the listener, the address and what to do (exit 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-serve-'));
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const file = join(dir, 'letterbox.toml');
    // every listener disabled except smtp (SMTP exists in every build) and pop3, on the busy port
    let t = `data_dir = "data"\n[store]\nbackend = "memory"\n[log]\nlevel = "silent"\n${await certReady}`;
    for (const n of NAMES) t += `[listeners.${n}]\nenabled = ${n === 'smtp'}\naddress = "127.0.0.1"\nport = ${n === 'smtp' ? port : 0}\n`;
    writeFileSync(file, t);
    let stdout = '';
    let stderr = '';
    const code = await run(['-c', file, 'serve'], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      stdin: Readable.from([]),
    });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`cannot listen for listeners\\.smtp \\(127\\.0\\.0\\.1:${port}\\): the port is already in use`));
    assert.match(stderr, /listeners\.smtp\.port/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listen errors are explained: privileged ports, foreign addresses', () => {
  const eacces = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:25'), { code: 'EACCES' });
  const m = listenErrorMessage('smtp', '0.0.0.0', 25, eacces);
  assert.match(m, /listeners\.smtp \(0\.0\.0\.0:25\): permission denied — ports below 1024 need privileges/);
  assert.match(m, /CAP_NET_BIND_SERVICE|cap_net_bind_service/);
  assert.match(m, /quick-start ports 2525\/2587\/2465\/2143\/2993\/2110\/2995\/8080/);
  // the code may only be in the message (src/net/listener.ts wraps the error)
  const wrapped = new Error('cannot listen on 10.9.9.9:2143 for listeners.imap: EADDRNOTAVAIL — check the address');
  assert.match(listenErrorMessage('imap', '10.9.9.9', 2143, wrapped), /address 10\.9\.9\.9 is not assigned to this machine/);
});

test('letterbox serve as a process: prints addresses, exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-serve-'));
  try {
    const file = join(dir, 'letterbox.toml');
    writeFileSync(file, await configText(join(dir, 'data')));
    const underTsx = import.meta.url.endsWith('.ts');
    const args = underTsx ? ['--import', 'tsx', 'src/cli/main.ts'] : ['dist/src/cli/main.js'];
    const child = spawn(process.execPath, [...args, '-c', file, 'serve', '--grace', '1'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`serve did not start: ${stdout} ${stderr}`)), 30_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/No mail domain yet/.test(stdout)) {
          clearTimeout(t);
          resolve();
        }
      });
      void exited.then((c) => reject(new Error(`serve exited early (${c}): ${stderr}`)));
    });
    assert.match(stdout, /^  smtp\s+127\.0\.0\.1:\d+\s+STARTTLS$/m);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /SIGTERM received/);
    assert.match(stdout, /letterbox: stopped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
