/**
 * RETR's \Seen as an IMAP client sees it (pop3.retr_marks_seen, Dovecot's behaviour): the
 * marks of a POP3 session are written by one store update at QUIT, or when the connection
 * ends without QUIT; never per RETR. TOP never marks; RSET forgets the marks made before it.
 * IMAP is a real IMAP session on the same store, over its own socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client } from './client.js';
import { message, PASS, pop3Fixture, USER, type Pop3Fixture } from './setup.js';
import { ImapClient } from '../imap/harness.js';
import { handleImapConnection } from '../../../src/imap/server.js';
import type { Change } from '../../../src/store/types.js';

async function imapSession(f: Pop3Fixture): Promise<ImapClient> {
  const l = await f.t.listen('imap', 'none', (s, info) => handleImapConnection(s, info, f.t.ctx));
  const c = await ImapClient.connect(l.port, false);
  await c.readLine();
  assert.match((await c.command(`L1 LOGIN ${USER} "${PASS}"`)).tagged, /^L1 OK/);
  assert.match((await c.command('S1 SELECT INBOX')).tagged, /^S1 OK/);
  return c;
}

/** message sequence numbers IMAP reports \Seen (a fresh FETCH, so nothing pending is missed) */
async function seenByImap(c: ImapClient, tag: string): Promise<number[]> {
  const r = await c.command(`${tag} FETCH 1:* (FLAGS)`);
  assert.match(r.tagged, new RegExp(`^${tag} OK`));
  const seen = new Set<number>();
  for (const l of r.untagged) {
    const m = /^\* (\d+) FETCH \(.*FLAGS \(([^)]*)\)/.exec(l);
    if (m && m[2]!.split(' ').includes('\\Seen')) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

/** every batch of flag changes the store publishes for the account, as the number of changes in it */
function flagBatches(f: Pop3Fixture): number[] {
  const batches: number[] = [];
  f.t.ctx.store.bus.subscribe(f.account.id, (cs: Change[]) => {
    const n = cs.filter((c) => c.kind === 'flags').length;
    if (n > 0) batches.push(n);
  });
  return batches;
}

/** logs in as soon as the maildrop lock is free (a dropped session writes its marks, then releases it) */
async function loginWhenFree(port: number): Promise<Pop3Client> {
  for (let i = 0; ; i++) {
    const c = await Pop3Client.connect(port);
    const r = await c.login(USER, PASS);
    if (r.startsWith('+OK')) return c;
    assert.match(r, /\[IN-USE\]/);
    c.destroy();
    if (i > 200) throw new Error('the maildrop lock was never released');
    await new Promise((res) => setTimeout(res, 10));
  }
}

test('RETR marks are invisible to IMAP until QUIT, then written in one update; TOP never marks', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1), message(2), message(3), message(4));
    const imap = await imapSession(f);
    const batches = flagBatches(f);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    assert.match((await c.multi('RETR 1')).status, /^\+OK/);
    assert.match((await c.multi('TOP 2 0')).status, /^\+OK/);
    assert.match((await c.multi('RETR 3')).status, /^\+OK/);
    assert.match((await c.multi('RETR 3')).status, /^\+OK/, 'a message retrieved twice');
    assert.match(await c.cmd('NOOP'), /^\+OK/);
    assert.match(await c.cmd('STAT'), /^\+OK/);
    assert.deepEqual(await seenByImap(imap, 'F1'), [], 'nothing \\Seen before QUIT');
    assert.deepEqual(batches, [], 'no flag update before QUIT');
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.closedByServer();
    assert.deepEqual(await seenByImap(imap, 'F2'), [1, 3], 'the RETR’d messages, not the TOP’d one');
    assert.deepEqual(batches, [2], 'one store update for the whole session');
  } finally {
    await f.close();
  }
});

test('a dropped connection still writes its RETR marks (and deletes nothing); RSET forgets earlier marks', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1), message(2), message(3));
    const imap = await imapSession(f);
    const a = await Pop3Client.connect(f.port);
    await a.login(USER, PASS);
    assert.match((await a.multi('RETR 2')).status, /^\+OK/);
    assert.match(await a.cmd('DELE 2'), /^\+OK/);
    assert.match(await a.cmd('NOOP'), /^\+OK/);
    assert.deepEqual(await seenByImap(imap, 'F1'), []);
    a.destroy();
    const b = await loginWhenFree(f.port);
    assert.deepEqual(await seenByImap(imap, 'F2'), [2], 'written as the connection ended');
    assert.match(await b.cmd('STAT'), /^\+OK 3 /, 'nothing deleted');

    assert.match((await b.multi('RETR 1')).status, /^\+OK/);
    assert.match(await b.cmd('RSET'), /^\+OK/);
    assert.match((await b.multi('RETR 3')).status, /^\+OK/);
    assert.match(await b.cmd('QUIT'), /^\+OK/);
    await b.closedByServer();
    assert.deepEqual(await seenByImap(imap, 'F3'), [2, 3], 'RETR 1 before RSET is forgotten, as in Dovecot');
  } finally {
    await f.close();
  }
});
