/**
 * Connection-level abuse, on every protocol and TLS mode:
 *  - STARTTLS / STLS command injection (the CVE-2011-0411 pattern): commands pipelined
 *    after STARTTLS in plaintext must never be executed inside the TLS session;
 *  - the per-IP connection limit: over the limit a polite refusal, and no slot leaks after
 *    abrupt disconnects, aborted TLS handshakes and garbage sent to TLS ports;
 * the process records no uncaught exception and keeps answering.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { startSmtp } from '../../src/smtp/server.js';
import { recordCrashes, RawClient, type CrashRecorder } from './raw.js';

const LIMIT = 4;
const USER = 'alice@example.test';
const PASS = 'correct horse battery';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ports {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  smtp: number;
  submissions: number;
}

/** upgrades a raw client's socket to TLS (after the server said yes to STARTTLS) */
function upgrade(c: RawClient): Promise<RawClient & { tlsSocket: tls.TLSSocket }> {
  return new Promise((resolve, reject) => {
    c.socket.removeAllListeners('data');
    const s = tls.connect({ socket: c.socket, rejectUnauthorized: false }, () => {
      const wrapped = c as RawClient & { tlsSocket: tls.TLSSocket };
      wrapped.tlsSocket = s;
      wrapped.buf = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        wrapped.buf = Buffer.concat([wrapped.buf, d]);
      });
      resolve(wrapped);
    });
    s.once('error', reject);
  });
}

async function tlsText(c: RawClient & { tlsSocket: tls.TLSSocket }, pred: (t: string) => boolean, ms = 3000): Promise<string> {
  const deadline = Date.now() + ms;
  while (!pred(c.buf.toString('latin1')) && Date.now() < deadline && !c.tlsSocket.destroyed) await sleep(20);
  return c.buf.toString('latin1');
}

describe('connection-level abuse', () => {
  let t: TestContext;
  let ports: Ports;
  let recorder: CrashRecorder;
  const extra: Array<{ close(ms?: number): Promise<void> }> = [];

  before(async () => {
    recorder = recordCrashes();
    t = await makeTestContext({
      config: {
        limits: { connections_per_ip: LIMIT, failed_logins_per_ip: 100000, failed_logins_per_account: 100000 },
        auth: { plaintext_allowed_from: ['127.0.0.1'] },
        smtp: { verify_inbound: false },
      },
    });
    await t.addUser(USER, PASS);
    const imap = await t.listen('imap', 'starttls', (s, i) => handleImapConnection(s, i, t.ctx));
    const imaps = await t.listen('imaps', 'implicit', (s, i) => handleImapConnection(s, i, t.ctx));
    const pop3 = await t.listen('pop3', 'starttls', (s, i) => handlePop3Connection(s, i, t.ctx));
    const pop3s = await t.listen('pop3s', 'implicit', (s, i) => handlePop3Connection(s, i, t.ctx));
    const offline = async (n: string) => {
      throw Object.assign(new Error(`offline ${n}`), { code: 'ENOTFOUND' });
    };
    const smtp = await startSmtp(t.ctx, 'smtp', { address: '127.0.0.1', port: 0, tls: 'starttls' }, { resolver: offline });
    const submissions = await startSmtp(t.ctx, 'submissions', { address: '127.0.0.1', port: 0, tls: 'implicit' }, { resolver: offline });
    extra.push(smtp, submissions);
    ports = { imap: imap.port, imaps: imaps.port, pop3: pop3.port, pop3s: pop3s.port, smtp: smtp.port, submissions: submissions.port };
  });
  after(async () => {
    for (const l of extra) await l.close(100);
    await t?.close();
    recorder?.dispose();
  });

  test('IMAP STARTTLS injection: a command pipelined after STARTTLS is not run inside TLS', async (t2) => {
    const c = await RawClient.connect(ports.imap);
    await c.expect((x) => x.includes('\r\n'), 'greeting');
    c.take();
    c.write('S STARTTLS\r\nX LOGIN alice@example.test "correct horse battery"\r\n');
    await c.expect((x) => /^S (OK|NO|BAD)/m.test(x), 'STARTTLS reply');
    const plain = c.take();
    assert.match(plain, /^S OK/m);
    let u: RawClient & { tlsSocket: tls.TLSSocket };
    try {
      u = await upgrade(c);
    } catch {
      return t2.diagnostic('the server refused the handshake after the injected bytes (also safe)');
    }
    u.tlsSocket.write('Y CAPABILITY\r\n');
    const text = await tlsText(u, (x) => /^Y (OK|NO|BAD)/m.test(x));
    assert.doesNotMatch(text, /^X /m, `the injected command was answered inside TLS: ${text}`);
    if (/^Y OK/m.test(text)) assert.match(text, /LOGINDISABLED|AUTH=PLAIN|IMAP4rev/, 'still not authenticated');
    u.tlsSocket.write('Z SELECT INBOX\r\n');
    const after = await tlsText(u, (x) => /^Z (OK|NO|BAD)/m.test(x));
    assert.match(after, /^Z (NO|BAD)/m, 'not logged in by the injected LOGIN');
    u.tlsSocket.destroy();
  });

  test('POP3 STLS injection: USER/PASS pipelined after STLS are not run inside TLS', async (t2) => {
    const c = await RawClient.connect(ports.pop3);
    await c.expect((x) => x.includes('\r\n'), 'greeting');
    c.take();
    c.write(`STLS\r\nUSER ${USER}\r\nPASS ${PASS}\r\n`);
    await c.expect((x) => /^(\+OK|-ERR)/m.test(x), 'STLS reply');
    assert.match(c.take(), /^\+OK/);
    let u: RawClient & { tlsSocket: tls.TLSSocket };
    try {
      u = await upgrade(c);
    } catch {
      return t2.diagnostic('the server refused the handshake after the injected bytes (also safe)');
    }
    u.tlsSocket.write('STAT\r\n');
    const text = await tlsText(u, (x) => /(\+OK|-ERR)[^\r]*\r\n/.test(x));
    assert.match(text, /^-ERR/, `STAT inside TLS must fail (not logged in by injected USER/PASS): ${text}`);
    u.tlsSocket.destroy();
  });

  test('SMTP STARTTLS injection: MAIL FROM pipelined after STARTTLS is not run inside TLS', async (t2) => {
    const c = await RawClient.connect(ports.smtp);
    await c.expect((x) => /^220 .*\r\n/.test(x), 'greeting');
    c.take();
    c.write('EHLO a.test\r\n');
    await c.expect((x) => /^250 /m.test(x), 'EHLO');
    c.take();
    c.write('STARTTLS\r\nMAIL FROM:<injected@remote.test>\r\n');
    await c.expect((x) => /^\d{3} /m.test(x), 'STARTTLS reply');
    assert.match(c.take(), /^220 /);
    let u: RawClient & { tlsSocket: tls.TLSSocket };
    try {
      u = await upgrade(c);
    } catch {
      return t2.diagnostic('the server refused the handshake after the injected bytes (also safe)');
    }
    u.tlsSocket.write('EHLO a.test\r\n');
    await tlsText(u, (x) => /^250 /m.test(x));
    u.buf = Buffer.alloc(0);
    u.tlsSocket.write(`RCPT TO:<${USER}>\r\n`);
    const text = await tlsText(u, (x) => /^\d{3} /m.test(x));
    assert.match(text, /^503 /m, `RCPT must fail with 503 (no MAIL FROM inside TLS): ${text}`);
    u.tlsSocket.destroy();
  });

  test('no connection slot leaks: abrupt closes, aborted TLS handshakes, garbage to TLS ports', async () => {
    const abuse = async (port: number) => {
      for (let k = 0; k < 12; k++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise<void>((r) => s.once('connect', () => r()));
        if (k % 3 === 0) s.write(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage'));
        else if (k % 3 === 1) s.write('GET / HTTP/1.0\r\n\r\n');
        s.destroy();
      }
      // a TLS client that hangs up mid-handshake
      for (let k = 0; k < 4; k++) {
        const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
        s.on('error', () => undefined);
        await sleep(5);
        s.destroy();
      }
    };
    for (const port of Object.values(ports)) await abuse(port);
    await sleep(300);

    // now LIMIT concurrent sessions per listener must still be accepted
    const greet = async (port: number, useTls: boolean) => {
      const c = await RawClient.connect(port, useTls);
      await c.until((x) => x.includes('\r\n'), 5000);
      return c;
    };
    for (const [name, port] of Object.entries(ports)) {
      const useTls = name === 'imaps' || name === 'pop3s' || name === 'submissions';
      const open: RawClient[] = [];
      for (let k = 0; k < LIMIT; k++) open.push(await greet(port, useTls));
      for (const c of open) assert.match(c.text, /^(\* OK|\+OK|220 )/, `${name}: connection within the limit greeted: ${JSON.stringify(c.text)}`);
      // one over the limit: a polite refusal or a close, never a greeting
      const over = await RawClient.connect(port, useTls).catch(() => null);
      if (over) {
        await over.until(() => over.closed, 3000);
        assert.doesNotMatch(over.text, /^(\* OK|\+OK|220 )/, `${name}: over the limit is not served: ${JSON.stringify(over.text)}`);
        over.destroy();
      }
      for (const c of open) c.destroy();
      await sleep(100);
      const again = await greet(port, useTls);
      assert.match(again.text, /^(\* OK|\+OK|220 )/, `${name}: slots come back after closing`);
      again.destroy();
      await sleep(50);
    }
    recorder.assertClean();
  });
});
