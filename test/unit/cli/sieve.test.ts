/**
 * `letterbox sieve list|get|put|activate|check|delete` (src/cli/sieve.ts) against one store:
 * what the CLI stores is what delivery and ManageSieve read (src/sieve/scripts.ts), a script
 * with an error is refused with its line and column and nothing is stored, and the active
 * script cannot be deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCli } from './harness.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';

const USER = 'alice@example.test';
const GOOD = 'require "fileinto";\nif header :contains "subject" "[list]" { fileinto "Lists"; }\n';
const BAD = 'require "fileinto";\nif header :contains "subject" "x" {\n  fileinto "Lists"\n}\n';

test('sieve put / list / get / activate / delete, and the store sees the same scripts', async () => {
  const h = await makeCli('[sieve]\nmax_scripts = 2\n');
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    assert.equal((await h.cli(['user', 'add', USER], 'alice password 1\n')).code, 0);
    const account = (await h.store.getAccount(USER))!;
    const scripts = new SieveScripts(h.store, { maxScriptBytes: 65536, maxScripts: 20 });

    let r = await h.cli(['sieve', 'list', USER]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `no scripts for ${USER}\n`);

    const file = join(h.dir, 'lists.sieve');
    writeFileSync(file, GOOD);
    r = await h.cli(['sieve', 'put', USER, file, '--activate']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `stored script "lists" for ${USER} (active)\n`, 'the name is the file name without .sieve');
    assert.equal(await scripts.get(account.id, 'lists'), GOOD);
    assert.equal(await scripts.activeName(account.id), 'lists');

    // from standard input a name is needed
    r = await h.cli(['sieve', 'put', USER, '-'], 'keep;\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--name/);
    r = await h.cli(['sieve', 'put', USER, '-', '--name', 'plain'], 'keep;\n');
    assert.equal(r.code, 0, r.stderr);

    r = await h.cli(['sieve', 'list', USER]);
    assert.match(r.stdout, /^NAME\s+ACTIVE\s+SIZE\n/);
    assert.match(r.stdout, new RegExp(`^lists\\s+yes\\s+${Buffer.byteLength(GOOD)}$`, 'm'));
    assert.match(r.stdout, /^plain\s+6$/m);

    r = await h.cli(['sieve', 'get', USER]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, GOOD, 'without a name: the active script');
    assert.equal((await h.cli(['sieve', 'get', USER, 'plain'])).stdout, 'keep;\n');
    r = await h.cli(['sieve', 'get', USER, 'nothing']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no script named "nothing"/);

    // [sieve] max_scripts = 2 holds for the CLI too
    r = await h.cli(['sieve', 'put', USER, '-', '--name', 'third'], 'keep;\n');
    assert.equal(r.code, 1);
    assert.equal(await scripts.get(account.id, 'third'), null);

    r = await h.cli(['sieve', 'delete', USER, 'lists']);
    assert.equal(r.code, 1, 'the active script cannot be deleted (RFC 5804 §2.10)');
    assert.equal(await scripts.get(account.id, 'lists'), GOOD);

    r = await h.cli(['sieve', 'activate', USER, 'plain']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await scripts.activeName(account.id), 'plain');
    r = await h.cli(['sieve', 'activate', USER, 'missing']);
    assert.equal(r.code, 1);
    assert.equal(await scripts.activeName(account.id), 'plain', 'a failed activate changes nothing');
    r = await h.cli(['sieve', 'activate', USER]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `no script is active for ${USER}\n`);
    assert.equal(await scripts.activeName(account.id), null);

    r = await h.cli(['sieve', 'delete', USER, 'lists']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await scripts.get(account.id, 'lists'), null);

    r = await h.cli(['sieve', 'list', 'nobody@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown user nobody@example\.test/);
  } finally {
    await h.close();
  }
});

test('sieve check and put refuse a script with an error, naming line and column; nothing is stored', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', USER], 'alice password 1\n');
    const account = (await h.store.getAccount(USER))!;
    const scripts = new SieveScripts(h.store, { maxScriptBytes: 65536, maxScripts: 20 });
    const bad = join(h.dir, 'bad.sieve');
    const good = join(h.dir, 'good.sieve');
    writeFileSync(bad, BAD);
    writeFileSync(good, GOOD);

    let r = await h.cli(['sieve', 'check', USER, good]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${good}: ok\n`);

    r = await h.cli(['sieve', 'check', USER, bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 4, column 1/i, r.stderr);

    r = await h.cli(['sieve', 'put', USER, bad, '--activate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not stored/);
    assert.match(r.stderr, /line 4, column 1/i);
    assert.deepEqual(await scripts.list(account.id), []);
    assert.equal(await scripts.activeName(account.id), null);

    r = await h.cli(['sieve', 'check', USER, join(h.dir, 'none.sieve')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /file not found/);

    // without a file: every stored script of the user
    await h.cli(['sieve', 'put', USER, good]);
    r = await h.cli(['sieve', 'check', USER]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'good: ok\n');
  } finally {
    await h.close();
  }
});
