/** ManageSieve (RFC 5804) transcripts over a real socket against the real session code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestContext, type TestContext } from '../../helpers/context.js';
import { handleManageSieveConnection } from '../../../src/managesieve/server.js';
import type { TlsMode } from '../../../src/config/schema.js';
import { handleImapConnection } from '../../../src/imap/server.js';
import { createAppPassword } from '../../../src/auth/app-passwords.js';
import { listDevices } from '../../../src/auth/devices.js';
import { ImapClient } from '../imap/harness.js';
import { SieveClient, literal } from './client.js';

const USER = 'alice@example.test';
const PASS = 'correct horse battery';

async function fixture(tlsMode: TlsMode = 'none', config: Record<string, unknown> = { auth: { plaintext_allowed_from: ['127.0.0.1'] } }) {
  const t: TestContext = await makeTestContext({ config });
  const account = await t.addUser(USER, PASS);
  const l = await t.listen('managesieve', tlsMode, (s, info) => handleManageSieveConnection(s, info, t.ctx));
  const c = await SieveClient.connect(l.port);
  const greeting = await c.response();
  return { t, c, account, greeting, port: l.port, close: async () => (c.close(), await t.close()) };
}

test('greeting lists the capabilities (RFC 5804 §1.7) and ends with OK', async () => {
  const f = await fixture();
  try {
    assert.match(f.greeting, /^"IMPLEMENTATION" "letterbox"\r\n/);
    assert.match(f.greeting, /"SASL" "PLAIN LOGIN"\r\n/);
    assert.match(f.greeting, /"SIEVE" "fileinto reject ereject envelope encoded-character imap4flags copy body variables relational comparator-i;ascii-numeric [^"]*vacation vacation-seconds"\r\n/);
    assert.match(f.greeting, /"VERSION" "1.0"\r\n/);
    assert.match(f.greeting, /\r\nOK /);
    const caps = await f.c.send('CAPABILITY');
    assert.match(caps, /"SIEVE"/);
    assert.match(caps, /OK\r\n$/);
  } finally {
    await f.close();
  }
});

test('the script commands: PUTSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, RENAMESCRIPT, DELETESCRIPT, HAVESPACE, CHECKSCRIPT', async () => {
  const f = await fixture();
  try {
    assert.match(await f.c.send('LISTSCRIPTS'), /^NO /, 'needs a login');
    assert.match(await f.c.login(USER, 'wrong'), /^NO /);
    assert.match(await f.c.login(USER, PASS), /^OK/);
    const script = 'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "Junk"; }\r\n';
    assert.equal(await f.c.send(`PUTSCRIPT "main" ${literal(script)}`), 'OK "Stored"\r\n');
    assert.equal(await f.c.send(`PUTSCRIPT "other" "keep;"`), 'OK "Stored"\r\n');
    assert.equal(await f.c.send('LISTSCRIPTS'), '"main"\r\n"other"\r\nOK\r\n');
    assert.match(await f.c.send('SETACTIVE "nope"'), /^NO \(NONEXISTENT\)/);
    assert.match(await f.c.send('SETACTIVE "main"'), /^OK/);
    assert.equal(await f.c.send('LISTSCRIPTS'), '"main" ACTIVE\r\n"other"\r\nOK\r\n');
    assert.equal(await f.c.send('GETSCRIPT "main"'), `{${script.length}}\r\n${script}\r\nOK\r\n`);
    assert.match(await f.c.send('GETSCRIPT "gone"'), /^NO \(NONEXISTENT\)/);
    assert.match(await f.c.send('DELETESCRIPT "main"'), /^NO \(ACTIVE\)/);
    assert.match(await f.c.send('RENAMESCRIPT "main" "other"'), /^NO \(ALREADYEXISTS\)/);
    assert.match(await f.c.send('RENAMESCRIPT "main" "filters"'), /^OK/);
    assert.equal(await f.c.send('LISTSCRIPTS'), '"filters" ACTIVE\r\n"other"\r\nOK\r\n', 'the active script stays active under its new name');
    assert.match(await f.c.send('DELETESCRIPT "other"'), /^OK/);
    assert.match(await f.c.send('HAVESPACE "x" 100'), /^OK/);
    assert.match(await f.c.send('HAVESPACE "x" 99999999'), /^NO \(QUOTA\/MAXSIZE\)/);
    // an invalid script is refused with the line and column of the problem
    const bad = await f.c.send(`PUTSCRIPT "bad" ${literal('keep;\r\nfileinto "x";\r\n')}`);
    assert.equal(bad, 'NO "line 2, column 1: \\"fileinto\\" needs require \\"fileinto\\""\r\n');
    assert.equal(await f.c.send(`CHECKSCRIPT ${literal('if true { stop; }')}`), 'OK "Script is valid"\r\n');
    assert.match(await f.c.send(`CHECKSCRIPT "if true stop;"`), /^NO "line 1, column 1: \\"if\\" needs a block/);
    assert.match(await f.c.send('SETACTIVE ""'), /^OK/);
    assert.equal(await f.c.send('LISTSCRIPTS'), '"filters"\r\nOK\r\n');
    assert.match(await f.c.send('NOOP "tag1"'), /^OK \(TAG "tag1"\)/);
    assert.match(await f.c.send('LOGOUT'), /^OK/);
  } finally {
    await f.close();
  }
});

test('limits: script size, number of scripts; a too large literal is read and refused', async () => {
  const f = await fixture('none', { auth: { plaintext_allowed_from: ['127.0.0.1'] }, sieve: { max_script_bytes: 100, max_scripts: 2 } });
  try {
    await f.c.login(USER, PASS);
    assert.match(await f.c.send(`PUTSCRIPT "big" ${literal('#'.repeat(500) + '\r\nkeep;')}`), /^NO \(QUOTA\/MAXSIZE\)/);
    assert.match(await f.c.send('PUTSCRIPT "a" "keep;"'), /^OK/);
    assert.match(await f.c.send('PUTSCRIPT "b" "keep;"'), /^OK/);
    assert.match(await f.c.send('PUTSCRIPT "c" "keep;"'), /^NO \(QUOTA\/MAXSCRIPTS\)/);
    assert.match(await f.c.send('PUTSCRIPT "a" "discard;"'), /^OK/, 'replacing a script is not a new one');
    assert.match(await f.c.send('PUTSCRIPT "a/b" "keep;"'), /^NO /, 'no "/" in names');
  } finally {
    await f.close();
  }
});

test('STARTTLS: no SASL mechanism before TLS, capabilities again after (RFC 5804 §2.2)', async () => {
  const f = await fixture('starttls', {});
  try {
    assert.match(f.greeting, /"SASL" ""\r\n/);
    assert.match(f.greeting, /"STARTTLS"\r\n/);
    assert.match(await f.c.login(USER, PASS), /^NO \(ENCRYPT-NEEDED\)/);
    const after = await f.c.starttls();
    assert.match(after, /"SASL" "PLAIN LOGIN"\r\n/);
    assert.doesNotMatch(after, /"STARTTLS"/);
    assert.match(await f.c.login(USER, PASS), /^OK/);
    assert.match(await f.c.send('PUTSCRIPT "s" "keep;"'), /^OK/);
  } finally {
    await f.close();
  }
});

test('AUTHENTICATE with challenges (LOGIN), and "*" cancels', async () => {
  const f = await fixture();
  try {
    f.c.socket.write('AUTHENTICATE "LOGIN"\r\n');
    assert.equal(await f.c.line(), `"${Buffer.from('Username:').toString('base64')}"`);
    f.c.socket.write(`"${Buffer.from(USER).toString('base64')}"\r\n`);
    assert.equal(await f.c.line(), `"${Buffer.from('Password:').toString('base64')}"`);
    f.c.socket.write(`{${Buffer.from(PASS).toString('base64').length}+}\r\n${Buffer.from(PASS).toString('base64')}\r\n`);
    assert.match(await f.c.response(), /^OK/);
    assert.match(await f.c.send('UNAUTHENTICATE'), /^OK/);
    f.c.socket.write('AUTHENTICATE "PLAIN"\r\n');
    assert.equal(await f.c.line(), '""');
    f.c.socket.write('"*"\r\n');
    assert.match(await f.c.response(), /^NO "Authentication cancelled"/);
  } finally {
    await f.close();
  }
});

test('bad input: unknown commands and syntax errors are NO, too many end with BYE', async () => {
  const f = await fixture();
  try {
    assert.match(await f.c.send('FROBNICATE'), /^NO "Unknown command FROBNICATE"/);
    assert.match(await f.c.send('PUTSCRIPT "unterminated'), /^NO "Syntax error/);
    assert.match(await f.c.send('"not a command"'), /^NO /);
    let last = '';
    for (let i = 0; i < 10 && !last.startsWith('BYE'); i++) last = await f.c.send('BOGUS');
    assert.match(last, /^BYE/);
  } finally {
    await f.close();
  }
});

test('throttling is shared with IMAP: failed logins count per address', async () => {
  const f = await fixture('none', { auth: { plaintext_allowed_from: ['127.0.0.1'] }, limits: { failed_logins_per_ip: 2 } });
  try {
    assert.match(await f.c.login(USER, 'bad1'), /^NO "Authentication failed/);
    assert.match(await f.c.login(USER, 'bad2'), /^NO "Authentication failed/);
    assert.match(await f.c.login(USER, PASS), /^NO \(TRYLATER\)/);
  } finally {
    await f.close();
  }
});

test('app passwords: one allowed for managesieve logs in here and not over IMAP; one limited to IMAP is refused here', async () => {
  const f = await fixture();
  try {
    const { store, auth } = f.t.ctx;
    const hash = (pw: string) => auth.hashPassword(pw);
    const sieve = await createAppPassword(store, f.account.id, { name: 'filters', protocols: ['managesieve'] }, hash);
    const mail = await createAppPassword(store, f.account.id, { name: 'phone', protocols: ['imap'] }, hash);
    const imapListener = await f.t.listen('imap', 'none', (s, info) => handleImapConnection(s, info, f.t.ctx));
    const imapLogin = async (pw: string) => {
      const c = await ImapClient.connect(imapListener.port, false);
      try {
        await c.readLine();
        return (await c.command(`a1 LOGIN "${USER}" "${pw}"`)).tagged;
      } finally {
        c.destroy();
      }
    };
    assert.match(await f.c.login(USER, mail.password), /^NO "Authentication failed/, 'an app password limited to IMAP is refused on ManageSieve');
    assert.match(await imapLogin(mail.password), /^a1 OK/, '... and works over IMAP');
    assert.match(await imapLogin(sieve.password), /^a1 NO \[AUTHENTICATIONFAILED\]/, 'one limited to managesieve is refused over IMAP');
    assert.match(await f.c.login(USER, sieve.password.replace(/ /g, '')), /^OK/, '... and logs in here');
    assert.match(await f.c.send('PUTSCRIPT "s" "keep;"'), /^OK/);
    const [session] = f.t.ctx.sessions.list(f.account.id).filter((x) => x.protocol === 'managesieve');
    assert.equal(session?.credential, sieve.id, 'the session is registered under the account with its app password');
  } finally {
    await f.close();
  }
});

test('a ManageSieve login is a device of the account; ending its sessions closes the connection; UNAUTHENTICATE leaves the account', async () => {
  const f = await fixture();
  try {
    const { store, sessions } = f.t.ctx;
    assert.match(await f.c.login(USER, PASS), /^OK/);
    const devices = (await listDevices(store, f.account.id)).filter((d) => d.protocol === 'managesieve');
    assert.equal(devices.length, 1, 'the login is recorded in the devices list');
    assert.equal(devices[0]!.ip, '127.0.0.1');
    assert.equal(devices[0]!.credential, 'password');
    assert.equal(devices[0]!.client, null, 'a ManageSieve client does not name itself');

    assert.match(await f.c.send('UNAUTHENTICATE'), /^OK/);
    assert.deepEqual(sessions.list(f.account.id), [], 'after UNAUTHENTICATE the session is no longer the account\'s');
    assert.equal(sessions.closeAccount(f.account.id, { reason: 'signed out' }), 0, '... and is not ended with it');
    assert.match(await f.c.login(USER, PASS), /^OK/);
    const ended = sessions.closeAccount(f.account.id, { reason: 'signed out on the web', credential: 'password', device: { protocol: 'managesieve', remoteAddress: '127.0.0.1' } });
    assert.equal(ended, 1);
    assert.match(await f.c.response(), /^BYE "Session ended: signed out on the web"/);
  } finally {
    await f.close();
  }
});
