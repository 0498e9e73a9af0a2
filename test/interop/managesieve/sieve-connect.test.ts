/** Interop: Debian's sieve-connect over STARTTLS uploads, activates, lists and fetches a script. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, run } from '../run.js';
import { makeTestContext } from '../../helpers/context.js';
import { handleManageSieveConnection } from '../../../src/managesieve/server.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';

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
    const sc = (args: string[]) => run('sieve-connect', [...base, ...args], { input: PASS + '\n', timeoutMs: 30_000 });

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
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
