/**
 * Interop: an imapflow (npm) session over STARTTLS — login, list, status, mailbox open,
 * append, fetch (envelope, bodystructure, source), search, flags, copy, move, delete,
 * and IDLE notifications for another session's append. imapflow negotiates COMPRESS=DEFLATE
 * by itself when offered, so the whole session after login runs compressed; it also asks for
 * OBJECTID (emailId, threadId) and enables QRESYNC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

test('imapflow session over STARTTLS', async () => {
  const server = await startServer({ tls: 'starttls', plaintext: false });
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    auth: { user: USER, pass: PASS },
    tls: { rejectUnauthorized: false },
    logger: false,
    qresync: true,
  });
  try {
    await seed(server, 'INBOX', [msg('one'), msg('two')]);
    await client.connect();
    assert.ok(client.capabilities.has('IMAP4rev2') || client.capabilities.has('IMAP4REV2'));
    // RFC 4978: the session is compressed from here on (imapflow keeps its DEFLATE stream)
    assert.ok(client.capabilities.has('COMPRESS=DEFLATE'));
    assert.ok((client as unknown as { _deflate?: unknown })._deflate, 'imapflow negotiated COMPRESS=DEFLATE');
    assert.ok(client.enabled.has('QRESYNC'), [...client.enabled].join(','));
    const list = await client.list();
    const names = list.map((m) => m.path);
    for (const n of ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive']) assert.ok(names.includes(n), names.join(','));
    assert.equal(list.find((m) => m.path === 'Sent')?.specialUse, '\\Sent');
    const st = await client.status('INBOX', { messages: true, unseen: true, uidNext: true });
    assert.ok(st);
    assert.equal(st.messages, 2);

    const lock = await client.getMailboxLock('INBOX');
    try {
      const appended = await client.append('INBOX', Buffer.from('From: c@example.test\r\nSubject: three\r\n\r\nthird\r\n'), ['\\Flagged']);
      assert.ok(appended);
      assert.equal(appended.uid, 3);
      const msgs = [];
      for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true, source: true, emailId: true, threadId: true })) msgs.push(m);
      assert.equal(msgs.length, 3);
      // RFC 8474 OBJECTID: ids as imapflow reads them
      assert.match(msgs[0].emailId ?? '', /^M[0-9a-f]{32}$/);
      assert.match(msgs[0].threadId ?? '', /^T[\w-]+$/);
      assert.equal(new Set(msgs.map((m) => m.emailId)).size, 3);
      assert.equal(msgs[0].envelope?.subject, 'one');
      assert.equal(msgs[2].source?.toString(), 'From: c@example.test\r\nSubject: three\r\n\r\nthird\r\n');
      assert.ok(msgs[2].flags?.has('\\Flagged'));
      assert.equal(msgs[0].bodyStructure?.type, 'text/plain');
      const found = await client.search({ subject: 'two' }, { uid: true });
      assert.deepEqual(found, [2]);
      await client.messageFlagsAdd({ uid: '1' }, ['\\Seen'], { uid: true });
      const seen = await client.search({ seen: true }, { uid: true });
      assert.deepEqual(seen, [1]);
      const copied = await client.messageCopy('1', 'Archive', { uid: true });
      assert.ok(copied);
      assert.ok(copied.uidMap?.get(1));
      const moved = await client.messageMove('2', 'Trash', { uid: true });
      assert.ok(moved);
      assert.ok(moved.uidMap?.get(2));
      await client.messageDelete('3', { uid: true });
      const left = await client.search({ all: true }, { uid: true });
      assert.deepEqual(left, [1]);
    } finally {
      lock.release();
    }

    // IDLE: another session appends; imapflow reports the new EXISTS
    await client.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) => client.on('exists', (d: { count: number }) => resolve(d.count)));
    const idling = client.idle();
    await new Promise((r) => setTimeout(r, 100));
    await seed(server, 'INBOX', [msg('four')]);
    const count = await Promise.race([exists, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('no EXISTS within 1s')), 1000))]);
    assert.equal(count, 2);
    void idling;
    await client.logout();
  } finally {
    client.close();
    await server.close();
  }
});
