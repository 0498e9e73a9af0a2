/**
 * What DELE does at QUIT, per policy (issue #4), seen afterwards through the store API the
 * IMAP server uses (mailbox snapshot / getMessages / getRaw), on the memory and the SQLite
 * store: retain (gone from INBOX, restorable byte-exact), trash, hide, expunge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client } from './client.js';
import { message, PASS, pop3Fixture, USER, type Pop3Fixture } from './setup.js';
import type { Pop3DeletePolicy } from '../../../src/store/types.js';
import { ImapFlow } from 'imapflow';
import type { ConnectionHandler } from '../../../src/net/types.js';
import type { ServerContext } from '../../../src/context.js';

type ImapHandler = (s: Parameters<ConnectionHandler>[0], i: Parameters<ConnectionHandler>[1], ctx: ServerContext) => void;

/** the IMAP server is another helper's module: when it cannot load, the IMAP views are skipped */
async function loadImap(): Promise<ImapHandler | null> {
  try {
    return ((await import('../../../src/imap/server.js')) as { handleImapConnection: ImapHandler }).handleImapConnection;
  } catch (e) {
    console.error(`# IMAP views skipped: src/imap/server.ts does not load (${(e as Error).message})`);
    return null;
  }
}
const imapHandler = loadImap();

const RAWS = [
  message(1),
  'From: carol@example.test\nSubject: bare LF\n\n.dot line\nbody\n', // stored byte-exact with bare LF
  message(3),
];

/** POP3 session: RETR 1 and 2, DELE 1 and 2, QUIT; returns the UIDLs seen */
async function downloadAndDelete(f: Pop3Fixture): Promise<string[]> {
  const c = await Pop3Client.connect(f.port);
  assert.match(await c.login(USER, PASS), /^\+OK .*3 messages/);
  const uidls = (await c.lines('UIDL')).map((l) => l.split(' ')[1]!);
  for (const n of [1, 2]) {
    assert.match((await c.multi(`RETR ${n}`)).status, /^\+OK/);
    assert.match(await c.cmd(`DELE ${n}`), /^\+OK/);
  }
  assert.match(await c.cmd('QUIT'), /^\+OK/);
  await c.closedByServer();
  return uidls;
}

async function inboxRaws(f: Pop3Fixture, name = 'INBOX'): Promise<string[]> {
  const store = f.t.ctx.store;
  const box = (await store.getMailbox(f.account.id, name))!;
  const uids = [...(await store.snapshot(f.account.id, box.id)).uids];
  const raws: string[] = [];
  for (const uid of uids) raws.push((await store.getRaw(f.account.id, box.id, uid)).toString('latin1'));
  return raws;
}

/** the same view through a real IMAP client (imapflow) on the same store: sources per mailbox */
async function imapView(f: Pop3Fixture, mailboxes: string[]): Promise<Record<string, string[]> | null> {
  const handler = await imapHandler;
  if (!handler) return null;
  const l = await f.t.listen('imap', 'none', (s, info) => handler(s, info, f.t.ctx));
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: l.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: USER, pass: PASS },
    logger: false,
  });
  await client.connect();
  const out: Record<string, string[]> = {};
  try {
    for (const name of mailboxes) {
      const st = await client.status(name, { messages: true });
      out[name] = [];
      if (!st || !st.messages) continue;
      const lock = await client.getMailboxLock(name);
      try {
        for await (const m of client.fetch('1:*', { source: true })) out[name]!.push(m.source!.toString('latin1'));
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return out;
}

async function pop3Count(f: Pop3Fixture): Promise<string[]> {
  const c = await Pop3Client.connect(f.port);
  assert.match(await c.login(USER, PASS), /^\+OK/);
  const uidls = (await c.lines('UIDL')).map((l) => l.split(' ')[1]!);
  await c.cmd('QUIT');
  await c.closedByServer();
  return uidls;
}

async function withPolicy(
  backend: 'memory' | 'sqlite',
  policy: Pop3DeletePolicy,
  how: 'account' | 'config',
  body: (f: Pop3Fixture, uidls: string[]) => Promise<void>,
): Promise<void> {
  const f = await pop3Fixture({ backend, config: how === 'config' ? { pop3: { delete_policy: policy } } : {} });
  try {
    if (how === 'account') await f.t.ctx.store.updateAccount(f.account.id, { pop3Policy: policy });
    await f.seed(...RAWS);
    const uidls = await downloadAndDelete(f);
    await body(f, uidls);
  } finally {
    await f.close();
  }
}

for (const backend of ['memory', 'sqlite'] as const) {
  test(`[${backend}] retain (default): INBOX no longer shows them, restore brings them back byte-exact with the same UIDL`, async () => {
    await withPolicy(backend, 'retain', 'config', async (f, uidls) => {
      const store = f.t.ctx.store;
      assert.deepEqual(await inboxRaws(f), [RAWS[2]]);
      assert.deepEqual(await inboxRaws(f, 'Trash'), []);
      const imap = await imapView(f, ['INBOX', 'Trash']);
      if (imap) assert.deepEqual(imap, { INBOX: [RAWS[2]], Trash: [] });
      const retained = await store.listRetained(f.account.id);
      assert.equal(retained.length, 2);
      for (const r of retained) assert.ok(r.purgeAfter.getTime() - r.deletedAt.getTime() >= 29 * 86400_000);
      assert.deepEqual(await pop3Count(f), [uidls[2]]);
      assert.equal(await store.pop3Restore(f.account.id), 2);
      assert.deepEqual((await inboxRaws(f)).sort(), [...RAWS].sort(), 'byte-exact');
      const back = await imapView(f, ['INBOX']);
      if (back) assert.deepEqual(back.INBOX!.sort(), [...RAWS].sort(), 'IMAP sees them back, byte-exact');
      assert.deepEqual((await pop3Count(f)).sort(), [...uidls].sort(), 'UIDLs survive the restore');
      assert.equal((await store.listRetained(f.account.id)).length, 0);
    });
  });

  test(`[${backend}] trash: the deleted messages are in Trash, byte-exact`, async () => {
    await withPolicy(backend, 'trash', 'account', async (f, uidls) => {
      assert.deepEqual(await inboxRaws(f), [RAWS[2]]);
      assert.deepEqual((await inboxRaws(f, 'Trash')).sort(), [RAWS[0], RAWS[1]].sort());
      const imap = await imapView(f, ['INBOX', 'Trash']);
      if (imap) {
        assert.deepEqual(imap.INBOX, [RAWS[2]]);
        assert.deepEqual(imap.Trash!.sort(), [RAWS[0], RAWS[1]].sort());
      }
      assert.deepEqual(await pop3Count(f), [uidls[2]]);
    });
  });

  test(`[${backend}] hide: INBOX still has them for IMAP, the next POP3 login does not list them`, async () => {
    await withPolicy(backend, 'hide', 'account', async (f, uidls) => {
      assert.deepEqual(await inboxRaws(f), RAWS);
      const imap = await imapView(f, ['INBOX']);
      if (imap) assert.deepEqual(imap.INBOX, RAWS, 'IMAP still shows them');
      assert.deepEqual(await pop3Count(f), [uidls[2]]);
      // RETR marked them \Seen as IMAP sees them
      const store = f.t.ctx.store;
      const metas = await store.getMessages(f.account.id, f.inboxId, [[1, Infinity]]);
      assert.deepEqual(metas.map((m) => m.flags.includes('\\Seen')), [true, true, false]);
    });
  });

  test(`[${backend}] expunge: gone from INBOX, not in Trash, nothing retained`, async () => {
    await withPolicy(backend, 'expunge', 'account', async (f, uidls) => {
      assert.deepEqual(await inboxRaws(f), [RAWS[2]]);
      assert.deepEqual(await inboxRaws(f, 'Trash'), []);
      assert.equal((await f.t.ctx.store.listRetained(f.account.id)).length, 0);
      const imap = await imapView(f, ['INBOX', 'Trash']);
      if (imap) assert.deepEqual(imap, { INBOX: [RAWS[2]], Trash: [] });
      assert.deepEqual(await pop3Count(f), [uidls[2]]);
    });
  });
}

test('the account policy overrides the configured default', async () => {
  const f = await pop3Fixture({ config: { pop3: { delete_policy: 'expunge' } } });
  try {
    await f.t.ctx.store.updateAccount(f.account.id, { pop3Policy: 'hide' });
    await f.seed(...RAWS);
    await downloadAndDelete(f);
    assert.deepEqual(await inboxRaws(f), RAWS);
  } finally {
    await f.close();
  }
});
