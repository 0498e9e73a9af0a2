/**
 * Security review, issue 9 item 6: the quota cannot be bypassed through POP3 retention
 * (APPEND to the limit, DELE over POP3, repeat), and mailboxes per account are capped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestContext } from '../helpers/context.js';
import { havePostgres } from '../helpers/pg-cluster.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { RawClient } from './raw.js';
import { taggedReply } from './harness.js';

const USER = 'alice@example.test';
const PASS = 'pw-alice-123';

for (const backend of ['memory', 'sqlite', ...(havePostgres() ? (['postgres'] as const) : [])] as const) {
  test(`${backend}: APPEND to the quota, POP3 DELE, APPEND again is NO [OVERQUOTA]: retained mail counts`, async () => {
    const t = await makeTestContext({ backend, config: { auth: { plaintext_allowed_from: ['127.0.0.1'] } } });
    try {
      const msg = `Subject: filler\r\n\r\n${'x'.repeat(4000)}\r\n`;
      const account = await t.addUser(USER, PASS);
      await t.ctx.store.updateAccount(account.id, { quotaBytes: 2 * msg.length + 100 });
      const imap = await t.listen('imap', 'none', (s, i) => handleImapConnection(s, i, t.ctx));
      const pop3 = await t.listen('pop3', 'none', (s, i) => handlePop3Connection(s, i, t.ctx));
      const c = await RawClient.connect(imap.port);
      await c.expect((x) => x.includes('\r\n'), 'greeting');
      c.write(`l LOGIN ${USER} ${PASS}\r\n`);
      await c.expect((x) => taggedReply(x, 'l') !== null, 'LOGIN');
      const append = async (tag: string) => {
        c.take();
        c.write(`${tag} APPEND INBOX {${msg.length}+}\r\n${msg}\r\n`);
        await c.expect((x) => taggedReply(x, tag) !== null, `APPEND ${tag}`);
        return taggedReply(c.text, tag)!;
      };
      assert.match(await append('a1'), /^OK/);
      assert.match(await append('a2'), /^OK/);
      assert.match(await append('a3'), /^NO \[OVERQUOTA\]/);
      const p = await RawClient.connect(pop3.port);
      await p.expect((x) => x.includes('\r\n'), 'POP3 greeting');
      p.write(`USER ${USER}\r\nPASS ${PASS}\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n`);
      await p.expect((x) => (x.match(/\+OK/g) ?? []).length >= 6, 'POP3 DELE and QUIT');
      p.destroy();
      const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
      assert.equal((await t.ctx.store.mailboxStatus(account.id, inbox.id)).messages, 0, 'the messages left INBOX');
      assert.equal((await t.ctx.store.listRetained(account.id)).length, 2, 'and are retained');
      assert.match(await append('a4'), /^NO \[OVERQUOTA\]/, 'the retained messages still fill the quota');
      c.destroy();
    } finally {
      await t.close();
    }
  });
}

test('mailboxes per account are capped: CREATE beyond limits.mailboxes_per_account is NO [LIMIT]', async () => {
  const t = await makeTestContext({ config: { limits: { mailboxes_per_account: 10 }, auth: { plaintext_allowed_from: ['127.0.0.1'] } } });
  try {
    const account = await t.addUser(USER, PASS); // 6 default mailboxes
    const imap = await t.listen('imap', 'none', (s, i) => handleImapConnection(s, i, t.ctx));
    const c = await RawClient.connect(imap.port);
    await c.expect((x) => x.includes('\r\n'), 'greeting');
    c.write(`l LOGIN ${USER} ${PASS}\r\n`);
    await c.expect((x) => taggedReply(x, 'l') !== null, 'LOGIN');
    const cmd = async (tag: string, line: string) => {
      c.take();
      c.write(`${tag} ${line}\r\n`);
      await c.expect((x) => taggedReply(x, tag) !== null, line);
      return taggedReply(c.text, tag)!;
    };
    assert.match(await cmd('c1', 'CREATE one'), /^OK/);
    assert.match(await cmd('c2', 'CREATE two/three'), /^OK/); // two and two/three: 9
    assert.match(await cmd('c3', 'CREATE four/five'), /^NO \[LIMIT\]/, 'two more would make 11');
    assert.match(await cmd('c5', 'CREATE four'), /^OK/);
    assert.match(await cmd('c4', 'RENAME one six/seven'), /^NO \[LIMIT\]/, 'a rename creating a parent counts too');
    assert.match(await cmd('c6', 'CREATE five'), /^NO \[LIMIT\]/);
    assert.equal((await t.ctx.store.listMailboxes(account.id)).length, 10);
    assert.match(await cmd('c7', 'DELETE four'), /^OK/);
    assert.match(await cmd('c8', 'CREATE five'), /^OK/);
    c.destroy();
  } finally {
    await t.close();
  }
});
