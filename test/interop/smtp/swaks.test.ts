/**
 * Interop with swaks (a real SMTP client): AUTH PLAIN/LOGIN over STARTTLS and over
 * implicit TLS, relay attempts, unknown users, oversized messages. Skipped without swaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { makeHarness } from '../../protocol/smtp/harness.js';

const hasSwaks = spawnSync('swaks', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = hasSwaks ? false : 'swaks is not installed';

/** runs swaks asynchronously (the server runs in this process) */
function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('swaks', ['--server', '127.0.0.1', '--helo', 'client.test', '--timeout', '10', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], // swaks prompts on stdin for missing values
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

async function setup(overrides: Record<string, unknown> = {}) {
  const h = await makeHarness(overrides);
  await h.addUser('alice@local.test', 'pw-alice-1');
  await h.addUser('bob@local.test', 'pw-bob-1');
  return h;
}

async function inboxCount(h: Awaited<ReturnType<typeof setup>>, address: string) {
  const acc = (await h.ctx.store.getAccount(address))!;
  const mb = (await h.ctx.store.getMailbox(acc.id, 'INBOX'))!;
  return (await h.ctx.store.mailboxStatus(acc.id, mb.id)).messages;
}

test('swaks: AUTH PLAIN over STARTTLS on submission', { skip }, async () => {
  const h = await setup();
  try {
    const l = await h.start('submission');
    const r = await swaks(['--port', String(l.port), '-tls', '--auth', 'PLAIN', '--auth-user', 'alice@local.test', '--auth-password', 'pw-alice-1', '--from', 'alice@local.test', '--to', 'bob@local.test,carol@far.test', '--header', 'From: alice@local.test']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /235 /);
    assert.equal(await inboxCount(h, 'bob@local.test'), 1);
    assert.deepEqual((await h.ctx.store.listQueue()).map((q) => q.recipients), [['carol@far.test']]);
  } finally {
    await h.close();
  }
});

test('swaks: AUTH LOGIN over implicit TLS (465)', { skip }, async () => {
  const h = await setup();
  try {
    const l = await h.start('submissions');
    const r = await swaks(['--port', String(l.port), '--tlsc', '--auth', 'LOGIN', '--auth-user', 'alice@local.test', '--auth-password', 'pw-alice-1', '--from', 'alice@local.test', '--to', 'bob@local.test', '--header', 'From: alice@local.test']);
    assert.equal(r.code, 0, r.out);
    assert.equal(await inboxCount(h, 'bob@local.test'), 1);
  } finally {
    await h.close();
  }
});

test('swaks: AUTH without TLS is refused, wrong password is refused', { skip }, async () => {
  const h = await setup();
  try {
    const l = await h.start('submission');
    let r = await swaks(['--port', String(l.port), '--auth', 'PLAIN', '--auth-user', 'alice@local.test', '--auth-password', 'pw-alice-1', '--from', 'alice@local.test', '--to', 'bob@local.test']);
    assert.notEqual(r.code, 0, r.out);
    r = await swaks(['--port', String(l.port), '-tls', '--auth', 'PLAIN', '--auth-user', 'alice@local.test', '--auth-password', 'wrong', '--from', 'alice@local.test', '--to', 'bob@local.test']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /535 5\.7\.8/);
    assert.equal(await inboxCount(h, 'bob@local.test'), 0);
  } finally {
    await h.close();
  }
});

test('swaks: port 25 delivers locally, refuses relaying and unknown users', { skip }, async () => {
  const h = await setup();
  try {
    const l = await h.start('smtp');
    let r = await swaks(['--port', String(l.port), '--from', 'someone@remote.test', '--to', 'alice@local.test']);
    assert.equal(r.code, 0, r.out);
    assert.equal(await inboxCount(h, 'alice@local.test'), 1);
    r = await swaks(['--port', String(l.port), '--from', 'alice@local.test', '--to', 'victim@elsewhere.test']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /554 5\.7\.1/);
    r = await swaks(['--port', String(l.port), '-tls', '--from', '<>', '--to', 'victim@elsewhere.test']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /554 5\.7\.1/);
    r = await swaks(['--port', String(l.port), '--from', 'someone@remote.test', '--to', 'nobody@local.test']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /550 5\.1\.1/);
    assert.equal((await h.ctx.store.listQueue()).length, 0);
  } finally {
    await h.close();
  }
});

test('swaks: oversized message is refused with 552', { skip }, async () => {
  const h = await setup({ limits: { message_size: 2048 } });
  try {
    const l = await h.start('smtp');
    const r = await swaks(['--port', String(l.port), '--from', 'someone@remote.test', '--to', 'alice@local.test', '--body', 'x'.repeat(5000)]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /552 5\.3\.4/);
    assert.equal(await inboxCount(h, 'alice@local.test'), 0);
  } finally {
    await h.close();
  }
});
