/**
 * Interop: two imapflow (npm) clients and a shared mailbox. Alice grants bob write rights
 * with SETACL (imapflow's generic exec); bob's imapflow finds the "Other Users" namespace,
 * lists and opens alice's mailbox, appends into it, and alice's imapflow, IDLE in that
 * mailbox, hears the new message through the owner's change bus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const BOB = 'bob@example.test';

test('imapflow: a mailbox shared between two accounts', { timeout: 20_000 }, async () => {
  const server = await startServer();
  const client = (user: string) =>
    new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user, pass: PASS }, logger: false, tls: { rejectUnauthorized: false } });
  const alice = client(USER);
  const bob = client(BOB);
  try {
    await server.t.addUser(BOB, PASS);
    const store = server.t.ctx.store;
    await store.createMailbox((await store.getAccount(USER))!.id, 'Team');
    await seed(server, 'Team', [msg('Plans')]);

    await alice.connect();
    assert.ok(alice.capabilities.has('ACL'));
    const set = await (alice as unknown as { exec(cmd: string, attrs: unknown[]): Promise<{ response: { command: string }; next(): void }> }).exec('SETACL', [
      { type: 'ATOM', value: 'Team' },
      { type: 'STRING', value: BOB },
      { type: 'STRING', value: 'lrswite' },
    ]);
    set.next(); // imapflow holds its command queue until the caller of exec() lets go
    assert.equal(set.response.command, 'OK');

    await bob.connect();
    const ns = (bob as unknown as { namespaces: { other: Array<{ prefix: string; delimiter: string }> | false } }).namespaces;
    assert.deepEqual(ns.other, [{ prefix: 'Other Users/', delimiter: '/' }]);
    const shared = `Other Users/${USER}/Team`;
    const list = await bob.list();
    assert.ok(list.some((m) => m.path === shared), list.map((m) => m.path).join(', '));
    assert.ok(!list.some((m) => m.path.includes('INBOX') && m.path.startsWith('Other Users')), 'only the shared mailbox is listed');

    await alice.mailboxOpen('Team');
    const exists = new Promise<number>((resolve) => alice.on('exists', (d: { count: number }) => resolve(d.count)));
    const idling = alice.idle();
    await new Promise((r) => setTimeout(r, 100));

    const box = await bob.mailboxOpen(shared);
    assert.equal(box.exists, 1);
    const first = await bob.fetchOne('1', { envelope: true });
    assert.equal(first && first.envelope?.subject, 'Plans');
    const appended = await bob.append(shared, Buffer.from('From: bob@example.test\r\nSubject: notes\r\n\r\nsee you\r\n'), ['\\Seen']);
    assert.ok(appended && appended.uid === 2);
    const count = await Promise.race([exists, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('no EXISTS within 2s')), 2000))]);
    assert.equal(count, 2);
    void idling;
    await bob.logout();
    await alice.logout();
  } finally {
    alice.close();
    bob.close();
    await server.close();
  }
});
