/**
 * Interop: Debian's sieve-connect over STARTTLS uploads, activates, lists and fetches a script,
 * and signs in with an app password allowed for ManageSieve (refused when it is limited to IMAP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, run } from '../run.js';
import { makeTestContext } from '../../helpers/context.js';
import { handleManageSieveConnection } from '../../../src/managesieve/server.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';
import { createAppPassword } from '../../../src/auth/app-passwords.js';
import { listDevices } from '../../../src/auth/devices.js';

const USER = 'alice@example.test';
const PASS = 'correct horse battery';
const skip = !has('sieve-connect') && 'sieve-connect not installed';

test('sieve-connect: upload, activate, list, download over STARTTLS', { skip }, async () => {
  const t = await makeTestContext();
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-sieve-connect-'));
  try {
    const account = await t.addUser(USER, PASS);
    const l = await t.listen('managesieve', 'starttls', (s, info) => handleManageSieveConnection(s, info, t.ctx));
    const script = 'require ["fileinto", "imap4flags"];\r\nif header :contains "Subject" "[list]" {\r\n  fileinto :flags "\\\\Seen" "Lists";\r\n}\r\n';
    const local = join(dir, 'filters.sieve');
    writeFileSync(local, script);
    const base = ['--server', '127.0.0.1', '--port', String(l.port), '--user', USER, '--passwordfd', '0', '--notlsverify', '--authmech', 'PLAIN'];
    const sc = (args: string[], password = PASS) => run('sieve-connect', [...base, ...args], { input: password + '\n', timeoutMs: 30_000 });

    const up = await sc(['--upload', '--localsieve', local, '--remotesieve', 'filters']);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const act = await sc(['--activate', '--remotesieve', 'filters']);
    assert.equal(act.code, 0, act.stderr + act.stdout);
    const list = await sc(['--list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^"filters" ACTIVE$/m);
    const out = join(dir, 'fetched.sieve');
    const down = await sc(['--download', '--remotesieve', 'filters', '--localsieve', out]);
    assert.equal(down.code, 0, down.stderr + down.stdout);
    assert.equal(readFileSync(out, 'utf8'), script, 'fetched byte for byte');

    // the server's own view agrees
    const scripts = new SieveScripts(t.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
    assert.equal(await scripts.activeName(account.id), 'filters');
    assert.equal(await scripts.get(account.id, 'filters'), script);

    // an invalid script is refused and the client says so
    const badFile = join(dir, 'bad.sieve');
    writeFileSync(badFile, 'fileinto "x";\r\n');
    const bad = await sc(['--upload', '--localsieve', badFile, '--remotesieve', 'bad']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /line 1, column 1/);

    // app passwords: one allowed for ManageSieve signs in, one limited to IMAP does not
    const hash = (pw: string) => t.ctx.auth.hashPassword(pw);
    const sieveApp = await createAppPassword(t.ctx.store, account.id, { name: 'sieve-connect', protocols: ['managesieve'] }, hash);
    const imapApp = await createAppPassword(t.ctx.store, account.id, { name: 'phone', protocols: ['imap'] }, hash);
    const withApp = await sc(['--list'], sieveApp.password);
    assert.equal(withApp.code, 0, withApp.stderr);
    assert.match(withApp.stdout, /^"filters" ACTIVE$/m);
    assert.notEqual((await sc(['--list'], imapApp.password)).code, 0, 'an app password limited to IMAP is refused');
    const devices = await listDevices(t.ctx.store, account.id);
    assert.deepEqual(
      devices.filter((d) => d.protocol === 'managesieve').map((d) => d.credential).sort(),
      ['password', sieveApp.id].sort(),
      'the account password and the app password are two devices',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
