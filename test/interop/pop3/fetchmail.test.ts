/**
 * Interop: fetchmail in the foreground (-N -d0), delivering through an MDA that appends to
 * a file. "keep" leaves the mail on the server (and UIDL tracking fetches nothing twice);
 * "no keep" deletes it (the retain policy takes it out of INBOX). Plain on loopback and STLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, run } from '../run.js';
import { message, PASS, pop3Fixture, USER, type Pop3Fixture } from '../../protocol/pop3/setup.js';

const skip = !has('fetchmail') && 'fetchmail not installed';

async function fetch(f: Pop3Fixture, dir: string, opts: { keep: boolean; stls: boolean }) {
  const out = join(dir, 'delivered.mbox');
  const rc = join(dir, 'fetchmailrc');
  const ssl = opts.stls ? `sslproto 'tls1.2+' no sslcertck` : `sslproto ''`;
  writeFileSync(
    rc,
    [
      'set no syslog',
      `poll 127.0.0.1 with proto POP3 port ${f.port} uidl timeout 20`,
      `  user "${USER}" there with password "${PASS}" is "${process.env.USER ?? 'root'}" here`,
      `  options ${opts.keep ? 'keep' : 'no keep'} ${ssl}`,
      `  mda "cat >> ${out}"`,
      '',
    ].join('\n'),
  );
  chmodSync(rc, 0o600);
  const r = await run('fetchmail', ['-f', rc, '-N', '-d0', '--nosyslog', '-v'], {
    env: { HOME: dir, FETCHMAILHOME: dir },
  });
  return { ...r, mbox: existsSync(out) ? readFileSync(out, 'latin1') : '' };
}

for (const stls of [false, true]) {
  const label = stls ? 'STLS' : 'plain';
  test(`fetchmail keep (${label}): messages delivered, left on the server, not fetched twice`, { skip }, async () => {
    const f = await pop3Fixture({ tls: stls ? 'starttls' : 'none', plaintext: !stls });
    const dir = mkdtempSync(join(tmpdir(), 'lb-fetchmail-'));
    try {
      await f.seed(message(1, '.dotted\r\n'), message(2));
      const first = await fetch(f, dir, { keep: true, stls });
      assert.equal(first.code, 0, first.stderr + first.stdout);
      if (process.env.SHOW) console.log(first.stdout, first.stderr);
      assert.doesNotMatch(first.stdout + first.stderr, /size mismatch|protocol error|malformed|bogus/i);
      assert.match(first.mbox, /Subject: message 1/);
      assert.match(first.mbox, /Subject: message 2/);
      assert.match(first.mbox, /\n\.dotted\r?\n/, 'un-stuffed');
      assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 2, 'kept');
      const second = await fetch(f, dir, { keep: true, stls });
      assert.equal(second.code, 1, 'exit 1: no new mail (UIDL remembered)');
      assert.equal(second.mbox, first.mbox);
    } finally {
      await f.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`fetchmail no keep (${label}): messages delivered and deleted from INBOX`, { skip }, async () => {
    const f = await pop3Fixture({ tls: stls ? 'starttls' : 'none', plaintext: !stls });
    const dir = mkdtempSync(join(tmpdir(), 'lb-fetchmail-'));
    try {
      await f.seed(message(1), message(2), message(3));
      const r = await fetch(f, dir, { keep: false, stls });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal((r.mbox.match(/^Subject: message \d/gm) ?? []).length, 3);
      assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 0, 'deleted at QUIT');
      assert.equal((await f.t.ctx.store.listRetained(f.account.id)).length, 3, 'recoverable under retain');
    } finally {
      await f.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
