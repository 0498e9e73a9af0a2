/**
 * Interop: a Maildir written by a real mbsync (isync) is imported with flags intact.
 * mbsync pulls an account with every system flag in use, nested folders and a message
 * with 8-bit content from letterbox; `letterbox import maildir` takes the tree into a fresh
 * account: every message byte-exact (mbsync stores LF, the import restores CRLF), every
 * flag as on the source, every folder, and `letterbox verify` passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, mbsyncConfig, run } from '../run.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';
import { makeCli } from '../../unit/cli/harness.js';

const skip = !has('mbsync') && 'mbsync (isync) not installed';

test('a Maildir written by mbsync imports with flags intact', { skip }, async () => {
  const server = await startServer({ tls: 'starttls', plaintext: false });
  const home = mkdtempSync(join(tmpdir(), 'letterbox-mbsync-import-'));
  const h = await makeCli('[store]\nbackend = "memory"\n[log]\nlevel = "silent"\n');
  try {
    const src = server.t.ctx.store;
    const acct = (await src.getAccount(USER))!;
    await src.createMailbox(acct.id, 'Projects/2026');
    const flagSets = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered', '\\Seen'], ['\\Draft'], ['\\Deleted', '\\Seen'], ['\\Flagged', '\\Answered', '\\Draft', '\\Seen']];
    await seed(server, 'INBOX', flagSets.map((_, i) => msg(`inbox ${i}`, `line one\r\nFrom the start of a line\r\n8-bit: h\u00e9llo ${i}\r\n`)), flagSets);
    await seed(server, 'Projects/2026', [msg('p1'), msg('p2')], [['\\Seen'], []]);
    await seed(server, 'Sent', [msg('s1')], [['\\Seen']]);

    const maildir = join(home, 'mail');
    mkdirSync(maildir);
    const rc = join(home, 'mbsyncrc');
    writeFileSync(
      rc,
      mbsyncConfig({ port: server.port, user: USER, pass: PASS, certFile: join(server.t.dataDir, 'tls', 'cert.pem'), maildir, channel: 'Create Near\nExpunge None\nSyncState *\nSync Pull' }),
    );
    const r = await run('mbsync', ['-c', rc, '-a'], { env: { HOME: home } });
    assert.equal(r.code, 0, `mbsync failed:\n${r.stdout}\n${r.stderr}`);

    const dst = await h.store.addDomain('example.test').then(() => h.store.createAccount('imported@example.test', 'x'));
    const res = await h.cli(['import', 'maildir', 'imported@example.test', maildir]);
    assert.equal(res.code, 0, res.stdout + res.stderr);

    for (const name of ['INBOX', 'Projects/2026', 'Sent']) {
      const smb = (await src.getMailbox(acct.id, name))!;
      const dmb = (await h.store.getMailbox(dst.id, name))!;
      assert.ok(dmb, `folder ${name} imported`);
      const want = await src.getMessages(acct.id, smb.id, [[1, Infinity]]);
      const got = await h.store.getMessages(dst.id, dmb.id, [[1, Infinity]]);
      assert.equal(got.length, want.length, `${name}: message count`);
      const bySubject = async (store: typeof src, accountId: number, mailboxId: number, uid: number) => {
        const raw = await store.getRaw(accountId, mailboxId, uid);
        return { raw, subject: /Subject: ([^\r\n]*)/.exec(raw.toString('latin1'))![1] };
      };
      const wanted = new Map<string, { raw: Buffer; flags: string[] }>();
      for (const m of want) {
        const x = await bySubject(src, acct.id, smb.id, m.uid);
        wanted.set(x.subject!, { raw: x.raw, flags: m.flags });
      }
      for (const m of got) {
        const x = await bySubject(h.store, dst.id, dmb.id, m.uid);
        const w = wanted.get(x.subject!);
        assert.ok(w, `${name}: unexpected message ${x.subject}`);
        assert.ok(x.raw.equals(w.raw), `${name} ${x.subject}: bytes differ:\n${JSON.stringify(x.raw.toString())}`);
        assert.deepEqual([...m.flags].sort(), [...w.flags].sort(), `${name} ${x.subject}: flags`);
      }
    }
    const v = await h.cli(['verify']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  } finally {
    await h.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
});
