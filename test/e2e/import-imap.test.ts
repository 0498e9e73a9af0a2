/**
 * `letterbox import imap` from a second, real `letterbox serve` (its POP3 set to Dovecot's
 * UIDL format, standing in for a Dovecot being migrated away from):
 *   1. the import is killed (SIGKILL) in the middle, run again, and every source message is
 *      in the target exactly once, byte-exact, with its flags, keywords, internal date, UID
 *      and its folder's UIDVALIDITY;
 *   2. a third run imports nothing; after a new message and a flag change on the source, a
 *      fourth run imports the one message and takes over the flag (incremental, as imapsync);
 *   3. POP3 UIDLs in the Dovecot format are the same on both servers;
 *   4. `letterbox verify` passes on the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { makeServeHome, addUserViaCli, CLI_ARGS, type ServeHome } from './serve-process.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { RawClient } from '../robustness/raw.js';

const SAMPLE = join(process.cwd(), '..', 'shared', 'corpus', 'sample.mbox');
const SRC = 'src@source.test';
const DST = 'dst@target.test';
const PW = 'import-test-password-1';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** everything that must survive the move, per mailbox name */
async function snapshot(dataDir: string, address: string) {
  const store = await openSqliteStore(dataDir);
  try {
    const a = (await store.getAccount(address))!;
    const out: Record<string, { uidValidity: number; messages: Array<[number, string, string, number]> }> = {};
    for (const mb of await store.listMailboxes(a.id)) {
      const metas = await store.getMessages(a.id, mb.id, [[1, Infinity]]);
      const messages: Array<[number, string, string, number]> = [];
      for (const m of metas) messages.push([m.uid, [...m.flags].sort().join(' '), sha(await store.getRaw(a.id, mb.id, m.uid)), m.internalDate.getTime()]);
      out[mb.name] = { uidValidity: mb.uidValidity, messages };
    }
    return out;
  } finally {
    await store.close();
  }
}

function importArgs(home: ServeHome, port: number): string[] {
  return [...CLI_ARGS, '-c', home.configFile, 'import', 'imap', DST, '--host', '127.0.0.1', '--port', String(port), '--plaintext', '--user', SRC, '--password-env', 'LB_SRC_PW', '--batch', '10'];
}

function runImport(home: ServeHome, port: number, onSpawn?: (kill: () => void) => void) {
  const child = spawn(process.execPath, importArgs(home, port), { env: { ...process.env, LB_SRC_PW: PW }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  onSpawn?.(() => child.kill('SIGKILL'));
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function uidl(port: number, user: string): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    assert.ok(await c.until((t) => t.includes('\r\n')));
    c.write(`USER ${user}\r\nPASS ${PW}\r\nUIDL\r\nQUIT\r\n`);
    assert.ok(await c.until((t) => /\r\n\.\r\n[\s\S]*\+OK[^\r\n]*\r\n$/.test(t) || c.closed, 15_000), c.text);
    const body = /UIDL[^\r\n]*\r\n|\+OK[^\r\n]*\r\n\+OK[^\r\n]*\r\n\+OK[^\r\n]*\r\n([\s\S]*?)\r\n\.\r\n/.exec(c.text);
    assert.ok(body?.[1] !== undefined, c.text);
    return body![1]!.split('\r\n');
  } finally {
    c.socket.destroy();
  }
}

test('import imap from a running letterbox: interrupted and resumed without duplicates, incremental, Dovecot UIDLs kept', { timeout: 300_000 }, async () => {
  const source = makeServeHome('[pop3]\nuidl_format = "dovecot"\n');
  const target = makeServeHome('[pop3]\nuidl_format = "dovecot"\n');
  try {
    await addUserViaCli(source, SRC, PW);
    await addUserViaCli(target, DST, PW);
    let r = await source.cli(['import', 'mbox', SRC, SAMPLE, '--mailbox', 'INBOX']);
    assert.equal(r.code, 0, r.stderr);
    const srv = await source.start();
    const imap = new ImapFlow({ host: '127.0.0.1', port: srv.ports.imap, secure: false, doSTARTTLS: false, auth: { user: SRC, pass: PW }, logger: false });
    await imap.connect();
    try {
      // UID gaps, flags and keywords, nested folders, a special-use folder
      let lock = await imap.getMailboxLock('INBOX');
      try {
        await imap.messageFlagsAdd('1:40', ['\\Seen'], { uid: true });
        await imap.messageFlagsAdd('5:9', ['\\Flagged', '$Label1', 'project-x'], { uid: true });
        await imap.messageFlagsAdd('10,11', ['\\Answered'], { uid: true });
        await imap.messageDelete('20:29', { uid: true });
        await imap.mailboxCreate('Work/Sub');
        await imap.messageMove('300:340', 'Work/Sub', { uid: true });
        await imap.messageCopy('50:59', 'Sent', { uid: true });
      } finally {
        lock.release();
      }
      const before = await snapshot(source.dataDir, SRC);
      const total = Object.values(before).reduce((s, m) => s + m.messages.length, 0);
      assert.equal(total, 400 - 10 + 10);

      // 1. interrupted: SIGKILL once a part is in, then again to completion
      const db = new Database(join(target.dataDir, 'letterbox.db'), { readonly: true, fileMustExist: true });
      let killedAt = -1;
      const first = await runImport(target, srv.ports.imap, (kill) => {
        const timer = setInterval(() => {
          const n = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
          if (n >= 60) {
            killedAt = n;
            kill();
            clearInterval(timer);
          }
        }, 2);
      });
      db.close();
      assert.equal(first.signal, 'SIGKILL', `the first run ended on its own before it could be interrupted:\n${first.stdout}${first.stderr}`);
      assert.ok(killedAt > 0 && killedAt < total, `killed after ${killedAt} of ${total}`);
      const second = await runImport(target, srv.ports.imap);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      const after = await snapshot(target.dataDir, DST);
      for (const [name, box] of Object.entries(before)) {
        assert.deepEqual(after[name], box, `${name}: every message once, same bytes, flags, dates, UIDs and UIDVALIDITY`);
      }

      // 2. incremental
      const third = await runImport(target, srv.ports.imap);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stdout, /^0 messages imported from \d+ folders/m);
      assert.deepEqual(await snapshot(target.dataDir, DST), after);
      lock = await imap.getMailboxLock('INBOX');
      try {
        await imap.messageFlagsAdd('100', ['\\Flagged', 'later'], { uid: true });
      } finally {
        lock.release();
      }
      await imap.append('INBOX', Buffer.from('From: new@source.test\r\nSubject: arrived later\r\n\r\nhello\r\n'), ['\\Seen'], new Date('2026-01-02T03:04:05Z'));
      const fourth = await runImport(target, srv.ports.imap);
      assert.equal(fourth.code, 0, fourth.stderr);
      assert.match(fourth.stdout, /^INBOX: 1 imported/m);
      assert.match(fourth.stdout, /1 earlier imported messages took the source's flags/);
      const src2 = await snapshot(source.dataDir, SRC);
      const dst2 = await snapshot(target.dataDir, DST);
      assert.deepEqual(dst2.INBOX, src2.INBOX);
    } finally {
      await imap.logout().catch(() => undefined);
    }

    // 3. POP3 clients of the old server keep their UIDLs
    const tsrv = await target.start();
    const a = await uidl(srv.ports.pop3, SRC);
    const b = await uidl(tsrv.ports.pop3, DST);
    assert.ok(a.length > 300);
    assert.deepEqual(b, a, 'Dovecot-format UIDLs (uid + uidvalidity) are the same after the move');

    // 4. verify
    r = await target.cli(['verify']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  } finally {
    await source.cleanup();
    await target.cleanup();
  }
});
