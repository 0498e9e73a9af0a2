/**
 * Mail into a domain's shared mailboxes over port 25 and submission (src/smtp/delivery/shared.ts):
 * "shared+<mailbox>@<domain>" posts only where "anyone" holds "p" (RFC 4314 §2.1); anything
 * else is refused at DATA with the same reply whether or not the mailbox exists, and
 * nothing is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient } from './harness.js';
import { accountIdentifier, setGrant } from '../../../src/store/acl.js';
import { ensureSharedOwner } from '../../../src/store/shared-owner.js';

const ANYONE = { kind: 'anyone', negative: false } as const;

test('shared+<mailbox>@domain posts into the shared mailbox only with "p" for anyone', async () => {
  const h = await makeHarness();
  try {
    await h.ctx.store.addDomain('local.test');
    await h.addUser('alice@local.test', 'pw');
    const owner = await ensureSharedOwner(h.ctx.store, 'local.test');
    for (const name of ['Support', 'Closed']) await h.ctx.store.createMailbox(owner.id, name);
    const support = (await h.ctx.store.getMailbox(owner.id, 'Support'))!;
    const closed = (await h.ctx.store.getMailbox(owner.id, 'Closed'))!;
    await setGrant(h.ctx.store, owner.id, support.id, ANYONE, 'lrp');
    await setGrant(h.ctx.store, owner.id, closed.id, ANYONE, 'lr');
    const l = await h.start('smtp', 'none');
    const send = async (to: string) => {
      const { client } = await SmtpClient.connect(l.port);
      try {
        await client.cmd('EHLO client.elsewhere.test');
        await client.cmd('MAIL FROM:<dave@elsewhere.test>');
        assert.match(await client.cmd(`RCPT TO:<${to}>`), /^250/);
        return await client.data(`From: <dave@elsewhere.test>\r\nTo: <${to}>\r\nSubject: help\r\nMessage-ID: <${to}.${Math.random()}@elsewhere.test>\r\n\r\nhello\r\n`);
      } finally {
        client.close();
      }
    };
    const count = async (id: number) => (await h.ctx.store.getMessages(owner.id, id, [[1, Infinity]])).length;
    const inbox = (await h.ctx.store.getMailbox(owner.id, 'INBOX'))!;

    assert.match(await send('shared+Support@local.test'), /^250/);
    assert.match(await send('shared+support@local.test'), /^250/, 'the one mailbox of that name without regard to case');
    assert.equal(await count(support.id), 2);

    const refused = await send('shared+Closed@local.test');
    assert.match(refused, /^550 5\.7\.1 /);
    assert.equal(await send('shared+NoSuch@local.test'), refused, 'an absent mailbox is refused with the same words');
    assert.equal(await send('shared@local.test'), refused, 'INBOX without "p" too');
    assert.equal(await count(closed.id), 0);
    assert.equal(await count(inbox.id), 0);

    // a revoked "p" holds for the next message
    await setGrant(h.ctx.store, owner.id, support.id, ANYONE, 'lr');
    assert.equal(await send('shared+Support@local.test'), refused);
    assert.equal(await count(support.id), 2);
    // "-anyone p" takes it away again after a grant
    await setGrant(h.ctx.store, owner.id, support.id, ANYONE, 'lrp');
    await setGrant(h.ctx.store, owner.id, support.id, { kind: 'anyone', negative: true }, 'p');
    assert.equal(await send('shared+Support@local.test'), refused);
  } finally {
    await h.close();
  }
});

test('submission: an account posts where it holds "p" itself, or where anyone may; another account may not', async () => {
  const h = await makeHarness();
  try {
    await h.ctx.store.addDomain('local.test');
    const alice = await h.addUser('alice@local.test', 'pw-alice');
    await h.addUser('bob@local.test', 'pw-bob');
    const owner = await ensureSharedOwner(h.ctx.store, 'local.test');
    await h.ctx.store.createMailbox(owner.id, 'Board');
    const board = (await h.ctx.store.getMailbox(owner.id, 'Board'))!;
    await setGrant(h.ctx.store, owner.id, board.id, accountIdentifier(alice), 'lrp');
    const l = await h.start('submission');
    const submit = async (user: string, pass: string) => {
      const { client } = await SmtpClient.connect(l.port);
      try {
        await client.cmd('EHLO client.test');
        assert.match(await client.starttls(), /^220 /);
        await client.cmd('EHLO client.test');
        assert.match(await client.authPlain(user, pass), /^235 /);
        assert.match(await client.cmd(`MAIL FROM:<${user}>`), /^250/);
        assert.match(await client.cmd('RCPT TO:<shared+Board@local.test>'), /^250/);
        return await client.data(`From: <${user}>\r\nTo: <shared+Board@local.test>\r\nSubject: minutes\r\nMessage-ID: <${Math.random()}@local.test>\r\n\r\nhi\r\n`);
      } finally {
        client.close();
      }
    };
    const count = async () => (await h.ctx.store.getMessages(owner.id, board.id, [[1, Infinity]])).length;
    assert.match(await submit('alice@local.test', 'pw-alice'), /^250/);
    assert.equal(await count(), 1);
    assert.match(await submit('bob@local.test', 'pw-bob'), /^550 5\.7\.1 /);
    assert.equal(await count(), 1);
    // "anyone p": every sender may, bob included
    await setGrant(h.ctx.store, owner.id, board.id, ANYONE, 'p');
    assert.match(await submit('bob@local.test', 'pw-bob'), /^250/);
    assert.equal(await count(), 2);
  } finally {
    await h.close();
  }
});
