/**
 * Interop: mbsync (isync) two-way sync of every folder over STARTTLS. The first run pulls
 * everything, a second run transfers nothing; a flag change and a deletion on each side
 * propagate to the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, mbsyncConfig, run } from '../run.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const skip = !has('mbsync') && 'mbsync (isync) not installed';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['cur', 'new']) {
    const d = join(dir, sub);
    if (existsSync(d)) for (const f of readdirSync(d)) out.push(join(d, f));
  }
  return out;
}

test('mbsync two-way sync of all folders', { skip }, async () => {
  const server = await startServer({ tls: 'starttls', plaintext: false });
  const home = mkdtempSync(join(tmpdir(), 'letterbox-mbsync-'));
  try {
    const store = server.t.ctx.store;
    const acct = (await store.getAccount(USER))!;
    await store.createMailbox(acct.id, 'Work/Sub');
    await seed(server, 'INBOX', [msg('in1'), msg('in2'), msg('in3')]);
    await seed(server, 'Archive', [msg('arch1')]);
    await seed(server, 'Work/Sub', [msg('sub1')]);
    const maildir = join(home, 'mail');
    mkdirSync(maildir);
    const rc = join(home, 'mbsyncrc');
    writeFileSync(
      rc,
      mbsyncConfig({ port: server.port, user: USER, pass: PASS, certFile: join(server.t.dataDir, 'tls', 'cert.pem'), maildir, channel: 'Create Both\nRemove None\nExpunge Both\nSyncState *\nSync All' }),
    );
    const sync = async () => {
      const r = await run('mbsync', ['-c', rc, '-a'], { env: { HOME: home } });
      assert.equal(r.code, 0, `mbsync failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout + r.stderr;
    };
    /** local files and the server's per-mailbox uidNext/highestModseq do not change */
    const state = async () => {
      const local = readdirSync(maildir, { recursive: true }).map(String).sort();
      const remote = (await store.listMailboxes(acct.id)).map((m) => `${m.name}:${m.uidNext}:${m.highestModseq}`).sort();
      return JSON.stringify({ local, remote });
    };
    const expectNoTransfer = async () => {
      const before = await state();
      await sync();
      assert.equal(await state(), before, 'a sync without changes transferred something');
    };

    // 1. first run pulls every folder
    await sync();
    assert.equal(files(join(maildir, 'INBOX')).length, 3);
    assert.equal(files(join(maildir, 'Archive')).length, 1);
    assert.equal(files(join(maildir, 'Work/Sub')).length, 1);
    const drafts = join(maildir, 'Drafts');
    assert.ok(existsSync(drafts), 'empty folders are created too');

    // 2. a second run transfers nothing
    await expectNoTransfer();

    // 3. server side: flag one message, delete another
    const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
    await store.storeFlags(acct.id, inbox.id, [1], 'add', ['\\Flagged']);
    await store.storeFlags(acct.id, inbox.id, [2], 'add', ['\\Deleted']);
    await store.expunge(acct.id, inbox.id);
    await sync();
    const local = files(join(maildir, 'INBOX'));
    assert.equal(local.length, 2, local.join('\n'));
    assert.equal(local.filter((f) => /:2,[A-Z]*F/.test(f)).length, 1, 'the \\Flagged flag reached the maildir');

    // 4. local side: mark one message seen, delete the other (by moving to trash semantics: unlink)
    const [a, b] = local.sort();
    renameSync(a, a.replace(/:2,([A-Z]*)$/, (_m, f: string) => `:2,${[...new Set((f + 'S').split(''))].sort().join('')}`));
    unlinkSync(b);
    await sync();
    const st = await store.mailboxStatus(acct.id, inbox.id);
    assert.equal(st.messages, 1, 'the local deletion reached the server');
    assert.equal(st.unseen, 0, 'the local \\Seen reached the server');

    // 5. and again nothing to do
    await expectNoTransfer();
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
});
