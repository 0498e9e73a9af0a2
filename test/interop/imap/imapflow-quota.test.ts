/**
 * Interop: imapflow's getQuota() (GETQUOTAROOT, RFC 9208) reads the account's storage quota
 * and mailbox count as the store counts them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

test('imapflow getQuota()', async () => {
  const server = await startServer({ tls: 'starttls', plaintext: false });
  const store = server.t.ctx.store;
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    auth: { user: USER, pass: PASS },
    tls: { rejectUnauthorized: false },
    logger: false,
  });
  try {
    const account = (await store.getAccount(USER))!;
    await store.updateAccount(account.id, { quotaBytes: 5 * 1024 * 1024 });
    await seed(server, 'INBOX', [msg('one', 'x'.repeat(4000) + '\r\n'), msg('two')]);
    await client.connect();
    const q = await client.getQuota('INBOX');
    assert.ok(q, 'getQuota() answered');
    assert.equal(q.path, 'INBOX');
    const used = await store.usedBytes(account.id);
    assert.ok(used > 4000);
    assert.deepEqual(q.storage, { usage: Math.ceil(used / 1024) * 1024, limit: 5 * 1024 * 1024, status: `${Math.round((Math.ceil(used / 1024) * 1024 * 100) / (5 * 1024 * 1024))}%` });
    const mailboxes = (await store.listMailboxes(account.id)).length;
    assert.equal((q as unknown as { mailbox: { usage: number; limit: number } }).mailbox.usage, mailboxes);
    assert.equal((q as unknown as { mailbox: { usage: number; limit: number } }).mailbox.limit, server.t.ctx.config.limits.mailboxes_per_account);
    await client.logout();
  } finally {
    client.close();
    await server.close();
  }
});
