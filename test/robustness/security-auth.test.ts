/**
 * Security review, authentication across the three protocols:
 *  - no password accepted over an unencrypted connection by default (IMAP LOGIN and
 *    AUTHENTICATE, POP3 USER/PASS and AUTH, SMTP submission AUTH), even when correct;
 *  - failed-login throttling is shared: failures on one path lock every other path;
 *  - PLAIN with an authorization identity of another user never logs in as that user;
 *  - no password, and no base64 AUTH payload carrying one, ever reaches the log.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { createLogger } from '../../src/log.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { startSmtp } from '../../src/smtp/server.js';
import { RawClient } from './raw.js';

const USER = 'alice@example.test';
const PASS = 'Sup3r-secret-pw';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

interface Servers {
  t: TestContext;
  imap: number;
  pop3: number;
  submission: number;
  logText(): string;
  close(): Promise<void>;
}

async function servers(config: Record<string, unknown>): Promise<Servers> {
  const t = await makeTestContext({ config: { ...config, log: { level: 'trace' } } });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = createLogger(t.ctx.config, { destination: sink });
  const ctx = t.ctx as { log: unknown; auth: unknown };
  ctx.log = log;
  ctx.auth = createAuthenticator(t.ctx.store, t.ctx.config, log);
  await t.addUser(USER, PASS);
  await t.addUser('bob@example.test', 'bob-password-1');
  const imap = await t.listen('imap', 'starttls', (s, i) => handleImapConnection(s, i, t.ctx));
  const pop3 = await t.listen('pop3', 'starttls', (s, i) => handlePop3Connection(s, i, t.ctx));
  const sub = await startSmtp(t.ctx, 'submission', { address: '127.0.0.1', port: 0, tls: 'starttls' });
  return {
    t,
    imap: imap.port,
    pop3: pop3.port,
    submission: sub.port,
    logText: () => lines.join(''),
    async close() {
      await sub.close(100);
      await t.close();
    },
  };
}

async function line(c: RawClient, re: RegExp, what: string): Promise<string> {
  await c.expect((x) => re.test(x), what);
  return c.take();
}

describe('security: authentication', () => {
  it('refuses every plaintext credential path before TLS by default, even with the right password', async () => {
    const s = await servers({});
    try {
      const i = await RawClient.connect(s.imap);
      await line(i, /\r\n/, 'IMAP greeting');
      i.write('c CAPABILITY\r\n');
      const caps = await line(i, /\r\nc OK/, 'CAPABILITY');
      assert.match(caps, /LOGINDISABLED/);
      assert.doesNotMatch(caps, /AUTH=(PLAIN|LOGIN)/);
      i.write(`a LOGIN ${USER} "${PASS}"\r\n`);
      assert.match(await line(i, /(^|\n)a (OK|NO|BAD)/, 'LOGIN'), /(^|\n)a (NO|BAD)/);
      i.write(`b AUTHENTICATE PLAIN ${b64(`\0${USER}\0${PASS}`)}\r\n`);
      assert.match(await line(i, /(^|\n)b (OK|NO|BAD)/, 'AUTHENTICATE PLAIN'), /(^|\n)b (NO|BAD)/);
      i.write('d AUTHENTICATE LOGIN\r\n');
      assert.match(await line(i, /(^|\n)d (OK|NO|BAD)/, 'AUTHENTICATE LOGIN'), /(^|\n)d (NO|BAD)/);
      i.destroy();

      const p = await RawClient.connect(s.pop3);
      await line(p, /\r\n/, 'POP3 greeting');
      p.write('CAPA\r\n');
      const capa = await line(p, /\r\n\.\r\n/, 'CAPA');
      assert.doesNotMatch(capa, /^(USER|SASL.*PLAIN)/m);
      p.write(`USER ${USER}\r\n`);
      await line(p, /\r\n/, 'USER');
      p.write(`PASS ${PASS}\r\n`);
      assert.match(await line(p, /\r\n/, 'PASS'), /^-ERR/);
      p.write(`AUTH PLAIN ${b64(`\0${USER}\0${PASS}`)}\r\n`);
      assert.match(await line(p, /\r\n/, 'AUTH PLAIN'), /^-ERR/);
      p.write('STAT\r\n');
      assert.match(await line(p, /\r\n/, 'STAT'), /^-ERR/);
      p.destroy();

      const m = await RawClient.connect(s.submission);
      await line(m, /^220 .*\r\n/, 'SMTP greeting');
      m.write('EHLO c.test\r\n');
      assert.doesNotMatch(await line(m, /^250 [^\r]*\r\n/m, 'EHLO'), /AUTH/);
      m.write(`AUTH PLAIN ${b64(`\0${USER}\0${PASS}`)}\r\n`);
      assert.match(await line(m, /\r\n/, 'AUTH'), /^5\d\d /);
      m.write('MAIL FROM:<alice@example.test>\r\n');
      assert.match(await line(m, /\r\n/, 'MAIL'), /^5\d\d /);
      m.destroy();
      assert.ok(!s.logText().includes(PASS), 'password in the log');
    } finally {
      await s.close();
    }
  });

  it('failures on one protocol throttle the account on all of them; nothing leaks a password to the log', async () => {
    const s = await servers({
      auth: { plaintext_allowed_from: ['127.0.0.1'] },
      limits: { failed_logins_per_account: 3, failed_logins_per_ip: 1000 },
    });
    try {
      const i = await RawClient.connect(s.imap);
      await line(i, /\r\n/, 'IMAP greeting');
      for (let n = 0; n < 3; n++) {
        i.write(`w${n} LOGIN ${USER} {9}\r\n`);
        await line(i, /^\+/, 'continuation');
        i.write('wrongpass\r\n');
        assert.match(await line(i, new RegExp(`(^|\\n)w${n} (OK|NO|BAD)`), 'wrong LOGIN'), /NO/);
      }
      // now even the right password is refused, on every path
      i.write(`a AUTHENTICATE PLAIN ${b64(`\0${USER}\0${PASS}`)}\r\n`);
      assert.match(await line(i, /(^|\n)a (OK|NO|BAD)/, 'AUTHENTICATE'), /(^|\n)a NO/);
      i.write(`b LOGIN ${USER} "${PASS}"\r\n`);
      assert.match(await line(i, /(^|\n)b (OK|NO|BAD)/, 'LOGIN'), /(^|\n)b NO/);
      i.destroy();

      const p = await RawClient.connect(s.pop3);
      await line(p, /\r\n/, 'POP3 greeting');
      p.write(`USER ${USER}\r\n`);
      await line(p, /\r\n/, 'USER');
      p.write(`PASS ${PASS}\r\n`);
      assert.match(await line(p, /\r\n/, 'PASS'), /^-ERR/);
      p.write('AUTH LOGIN\r\n');
      await line(p, /^\+ /, 'AUTH LOGIN user prompt');
      p.write(`${b64(USER)}\r\n`);
      await line(p, /^\+ /, 'AUTH LOGIN password prompt');
      p.write(`${b64(PASS)}\r\n`);
      assert.match(await line(p, /\r\n/, 'AUTH LOGIN'), /^-ERR/);
      p.destroy();

      const m = await RawClient.connect(s.submission);
      await line(m, /^220 .*\r\n/, 'SMTP greeting');
      m.write('EHLO c.test\r\n');
      await line(m, /^250 [^\r]*\r\n/m, 'EHLO');
      m.write(`AUTH PLAIN ${b64(`\0${USER}\0${PASS}`)}\r\n`);
      assert.match(await line(m, /\r\n/, 'AUTH'), /^[45]\d\d /);
      m.destroy();

      // bob is not throttled, and PLAIN naming alice as authorization identity never yields alice
      const j = await RawClient.connect(s.imap);
      await line(j, /\r\n/, 'IMAP greeting');
      j.write(`c AUTHENTICATE PLAIN ${b64(`${USER}\0bob@example.test\0bob-password-1`)}\r\n`);
      assert.match(await line(j, /(^|\n)c (OK|NO|BAD)/, 'AUTHENTICATE as another'), /(^|\n)c NO/);
      j.destroy();
      const m2 = await RawClient.connect(s.submission);
      await line(m2, /^220 .*\r\n/, 'SMTP greeting');
      m2.write('EHLO c.test\r\n');
      await line(m2, /^250 [^\r]*\r\n/m, 'EHLO');
      m2.write(`AUTH PLAIN ${b64(`${USER}\0bob@example.test\0bob-password-1`)}\r\n`);
      assert.match(await line(m2, /\r\n/, 'AUTH with authzid'), /^535 /);
      m2.destroy();

      const text = s.logText();
      assert.ok(text.length > 0, 'the log captured something');
      for (const secret of [PASS, 'wrongpass', 'bob-password-1', b64(PASS), b64(`\0${USER}\0${PASS}`)]) {
        assert.ok(!text.includes(secret), `log contains ${JSON.stringify(secret)}`);
      }
    } finally {
      await s.close();
    }
  });
});

describe('security: per-IP limits and IPv6', () => {
  it('failed logins from addresses of one IPv6 /64 count together', async () => {
    const t = await makeTestContext({ config: { limits: { failed_logins_per_ip: 3, failed_logins_per_account: 1000 } } });
    try {
      await t.addUser(USER, PASS);
      for (let i = 1; i <= 3; i++) await t.ctx.auth.login(`nobody${i}@example.test`, 'x', `2001:db8:1:2::${i}`);
      const r = await t.ctx.auth.login(USER, 'wrong', '2001:db8:1:2::99');
      assert.equal(r.ok ? 'ok' : r.reason, 'throttled');
      // another /64 is another client
      const other = await t.ctx.auth.login(USER, PASS, '2001:db8:1:3::1');
      assert.equal(other.ok, true);
    } finally {
      await t.close();
    }
  });

  it('limits.ipv6_prefix_length sets the prefix (128: every address on its own)', async () => {
    const t = await makeTestContext({ config: { limits: { failed_logins_per_ip: 3, failed_logins_per_account: 1000, ipv6_prefix_length: 128 } } });
    try {
      await t.addUser(USER, PASS);
      for (let i = 1; i <= 3; i++) await t.ctx.auth.login(`nobody${i}@example.test`, 'x', '2001:db8:1:2::1');
      assert.equal((await t.ctx.auth.login(USER, PASS, '2001:db8:1:2::99')).ok, true);
      assert.equal(((r) => (r.ok ? 'ok' : r.reason))(await t.ctx.auth.login(USER, PASS, '2001:db8:1:2::1')), 'throttled');
    } finally {
      await t.close();
    }
  });

  it("an attacker's failed logins lock out the attacker's address, not the account's owner elsewhere (issue 9 item 8)", async () => {
    const t = await makeTestContext({ config: { limits: { failed_logins_per_ip: 1000, failed_logins_per_account: 5 } } });
    try {
      await t.addUser(USER, PASS);
      for (let i = 0; i < 5; i++) await t.ctx.auth.login(USER, `guess${i}`, '198.51.100.7');
      const attacker = await t.ctx.auth.login(USER, PASS, '198.51.100.7');
      assert.equal(attacker.ok ? 'ok' : attacker.reason, 'throttled', 'even the right password is refused from the guessing address');
      const owner = await t.ctx.auth.login(USER, PASS, '203.0.113.20');
      assert.equal(owner.ok, true, 'the owner logs in from their own address');
    } finally {
      await t.close();
    }
  });

  it('clientKey: IPv4 as is, IPv6 by prefix, mapped IPv4 as IPv4', async () => {
    const { clientKey } = await import('../../src/net/address.js');
    assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('2001:db8:1:2::99'), '2001:db8:1:2:0:0:0:0/64');
    assert.equal(clientKey('2001:DB8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2:0:0:0:0/64');
    assert.equal(clientKey('2001:db8:1:2:3:4:5:6', 56), '2001:db8:1:0:0:0:0:0/56');
    assert.equal(clientKey('2001:db8:1:2ff:3:4:5:6', 56), '2001:db8:1:200:0:0:0:0/56');
    assert.equal(clientKey('fe80::1%eth0', 64), 'fe80:0:0:0:0:0:0:0/64');
    assert.equal(clientKey('64:ff9b::192.0.2.1', 128), '64:ff9b:0:0:0:0:c000:201/128');
    assert.equal(clientKey('::1'), '0:0:0:0:0:0:0:0/64');
    assert.equal(clientKey('not-an-address'), 'not-an-address');
  });
});
