/**
 * Interop: getmail6 into a Maildir (plain POP3 on loopback; POP3S with implicit TLS),
 * keeping mail (read_all = false: only new mail the second time) and deleting it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, run } from '../run.js';
import { message, PASS, pop3Fixture, USER, type Pop3Fixture } from '../../protocol/pop3/setup.js';

const skip = !has('getmail') && 'getmail (getmail6) not installed';

function maildirMessages(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['new', 'cur']) for (const name of readdirSync(join(dir, sub))) out.push(readFileSync(join(dir, sub, name), 'latin1'));
  return out.sort();
}

async function getmail(f: Pop3Fixture, dir: string, opts: { delete: boolean; ssl: boolean }) {
  const maildir = join(dir, 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  // getmail refuses to deliver as root: then it delivers as "nobody", who needs write access
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    for (const sub of ['', 'new', 'cur', 'tmp']) chmodSync(join(maildir, sub), 0o777);
  }
  writeFileSync(
    join(dir, 'getmailrc'),
    [
      '[retriever]',
      `type = ${opts.ssl ? 'SimplePOP3SSLRetriever' : 'SimplePOP3Retriever'}`,
      'server = 127.0.0.1',
      `port = ${f.port}`,
      `username = ${USER}`,
      `password = ${PASS}`,
      '',
      '[destination]',
      'type = Maildir',
      `path = ${maildir}/`,
      ...(asRoot ? ['user = nobody'] : []),
      '',
      '[options]',
      'verbose = 2',
      `delete = ${opts.delete}`,
      'read_all = false',
      'message_log_syslog = false',
      '',
    ].join('\n'),
  );
  const r = await run('getmail', [`--getmaildir=${dir}`, '--rcfile=getmailrc'], { env: { HOME: dir } });
  return { ...r, messages: maildirMessages(maildir) };
}

for (const ssl of [false, true]) {
  const label = ssl ? 'POP3S' : 'plain';
  test(`getmail6 keep (${label}): delivered to Maildir, left on the server, only new mail next time`, { skip }, async () => {
    const f = await pop3Fixture({ tls: ssl ? 'implicit' : 'none', plaintext: !ssl });
    const dir = mkdtempSync(join(tmpdir(), 'lb-getmail-'));
    try {
      await f.seed(message(1, '.dotted\r\n'), message(2));
      const first = await getmail(f, dir, { delete: false, ssl });
      assert.equal(first.code, 0, first.stderr + first.stdout);
      assert.equal(first.messages.length, 2, first.stdout);
      assert.ok(first.messages.some((m) => m.includes('\n.dotted\n') || m.includes('\n.dotted\r\n')), 'un-stuffed');
      assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 2);
      await f.seed(message(3));
      const second = await getmail(f, dir, { delete: false, ssl });
      assert.equal(second.code, 0, second.stderr + second.stdout);
      assert.equal(second.messages.length, 3, 'only the new message was added');
      assert.equal(second.messages.filter((m) => m.includes('Subject: message 1')).length, 1);
    } finally {
      await f.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('getmail6 delete (plain): delivered to Maildir and deleted from INBOX', { skip }, async () => {
  const f = await pop3Fixture();
  const dir = mkdtempSync(join(tmpdir(), 'lb-getmail-'));
  try {
    await f.seed(message(1), message(2));
    const r = await getmail(f, dir, { delete: true, ssl: false });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.messages.length, 2);
    assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 0);
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
