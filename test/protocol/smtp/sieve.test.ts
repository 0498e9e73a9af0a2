/**
 * Sieve at delivery, end to end over port 25: a script stored through the same class
 * ManageSieve uses, messages sent with a raw SMTP client to the real listener, outbound
 * mail carried by the real queue runner to an SMTP sink on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { makeHarness, SmtpClient, startSink, type Harness, type Sink } from './harness.js';
import { startQueueRunner } from '../../../src/smtp/queue/runner.js';
import { tableResolver } from '../../../src/smtp/core/dns.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';
import type { Account } from '../../../src/store/types.js';

const ALICE_SCRIPT = `require ["fileinto", "imap4flags", "envelope", "subaddress", "mailbox", "reject", "vacation", "vacation-seconds"];
if header :contains "subject" "buy now" { reject "No spam please"; stop; }
if header :contains "subject" "[lists]" { fileinto :create :flags ["\\\\Seen", "$list"] "Lists"; stop; }
if envelope :detail "to" "shop" { fileinto :create "Shopping"; stop; }
if header :contains "subject" "fwd" { redirect "carol@elsewhere.test"; stop; }
if header :contains "subject" "loop" { redirect "bob@local.test"; stop; }
vacation :seconds 1 :subject "Away" "I am away until Monday.";
`;
const BOB_SCRIPT = `if header :contains "subject" "loop" { redirect "alice@local.test"; }`;

interface World {
  h: Harness;
  port: number;
  sink: Sink;
  alice: Account;
  bob: Account;
  runQueue(): Promise<void>;
  send(from: string, to: string[], raw: string): Promise<string>;
  folder(account: Account, name: string): Promise<Array<{ flags: string[]; raw: string }>>;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const h = await makeHarness({ sieve: { vacation_min_period_s: 1 }, auth: { plaintext_allowed_from: ['127.0.0.1'] } });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await h.ctx.store.addDomain('local.test', { selector: 'lb1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  const alice = await h.addUser('alice@local.test', 'pw-alice');
  const bob = await h.addUser('bob@local.test', 'pw-bob');
  const scripts = new SieveScripts(h.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
  await scripts.put(alice.id, 'main', ALICE_SCRIPT);
  await scripts.setActive(alice.id, 'main');
  await scripts.put(bob.id, 'main', BOB_SCRIPT);
  await scripts.setActive(bob.id, 'main');
  const l = await h.start('smtp', 'none');
  const sink = await startSink(h.ctx, { starttls: false });
  const runner = startQueueRunner(h.ctx, {
    autoStart: false,
    resolver: tableResolver({ 'elsewhere.test': { A: ['127.0.0.1'] } }),
    portFor: () => sink.port,
  });
  return {
    h,
    port: l.port,
    sink,
    alice,
    bob,
    runQueue: () => runner.runOnce(),
    async send(from, to, raw) {
      const { client } = await SmtpClient.connect(l.port);
      try {
        await client.cmd('EHLO client.elsewhere.test');
        await client.cmd(`MAIL FROM:<${from}>`);
        for (const r of to) assert.match(await client.cmd(`RCPT TO:<${r}>`), /^250/);
        return await client.data(raw.replace(/\r?\n/g, '\r\n'));
      } finally {
        client.close();
      }
    },
    async folder(account, name) {
      const box = await h.ctx.store.getMailbox(account.id, name);
      if (!box) return [];
      const msgs = await h.ctx.store.getMessages(account.id, box.id, [[1, Infinity]]);
      return Promise.all(msgs.map(async (m) => ({ flags: m.flags, raw: (await h.ctx.store.getRaw(account.id, box.id, m.uid)).toString() })));
    },
    async close() {
      await runner.stop();
      await sink.close();
      await h.close();
    },
  };
}

const message = (subject: string, extra = '', id = `${Math.random().toString(36).slice(2)}@elsewhere.test`) =>
  `From: Dave <dave@elsewhere.test>\nTo: alice@local.test\nSubject: ${subject}\nMessage-ID: <${id}>\n${extra}\nHello\n`;

test('fileinto lands in the folder the script names, with the flags it set; +detail picks a folder', async () => {
  const w = await world();
  try {
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], message('[lists] weekly digest')), /^250/);
    const lists = await w.folder(w.alice, 'Lists');
    assert.equal(lists.length, 1);
    assert.deepEqual([...lists[0]!.flags].sort(), ['$list', '\\Seen']);
    assert.match(lists[0]!.raw, /^Return-Path: <dave@elsewhere.test>\r\nDelivered-To: alice@local.test\r\n/);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 0, 'fileinto cancels the implicit keep');

    assert.match(await w.send('dave@elsewhere.test', ['alice+shop@local.test'], message('your order', 'List-Id: <shop.elsewhere.test>')), /^250/);
    assert.equal((await w.folder(w.alice, 'Shopping')).length, 1);
  } finally {
    await w.close();
  }
});

test('submission to a local user runs the recipient\'s script too', async () => {
  const w = await world();
  try {
    const l = await w.h.start('submission', 'none');
    const { client } = await SmtpClient.connect(l.port);
    try {
      await client.cmd('EHLO bob.local.test');
      assert.match(await client.authPlain('bob@local.test', 'pw-bob'), /^235/);
      assert.match(await client.cmd('MAIL FROM:<bob@local.test>'), /^250/);
      assert.match(await client.cmd('RCPT TO:<alice@local.test>'), /^250/);
      assert.match(await client.data('From: <bob@local.test>\r\nTo: <alice@local.test>\r\nSubject: [lists] from bob\r\nMessage-ID: <sub-1@local.test>\r\n\r\nhi\r\n'), /^250/);
    } finally {
      client.close();
    }
    const lists = await w.folder(w.alice, 'Lists');
    assert.equal(lists.length, 1, 'filed by the script');
    assert.deepEqual([...lists[0]!.flags].sort(), ['$list', '\\Seen']);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 0);
  } finally {
    await w.close();
  }
});

test('reject refuses the message at SMTP time, before the 250; nothing is stored', async () => {
  const w = await world();
  try {
    const reply = await w.send('dave@elsewhere.test', ['alice@local.test'], message('buy now, cheap'));
    assert.match(reply, /^550 5\.7\.1 Rejected by the recipient's filter: No spam please/);
    for (const box of await w.h.ctx.store.listMailboxes(w.alice.id)) assert.equal((await w.folder(w.alice, box.name)).length, 0, box.name);
    await w.runQueue();
    assert.equal(w.sink.messages.length, 0, 'no bounce, no vacation');
    // with a second recipient that accepts, the message is accepted and the rejection is not bounced to an unverified sender
    const mixed = await w.send('dave@elsewhere.test', ['alice@local.test', 'bob@local.test'], message('buy now, cheap'));
    assert.match(mixed, /^250/);
    assert.equal((await w.folder(w.bob, 'INBOX')).length, 1);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 0);
    assert.equal(await w.h.ctx.store.listQueue().then((q) => q.length), 0, 'no DSN queued to an SPF-unverified sender');
  } finally {
    await w.close();
  }
});

test('redirect sends one copy through the queue; the same message again is not redirected twice', async () => {
  const w = await world();
  try {
    const raw = message('please fwd this', '', 'once@elsewhere.test');
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], raw), /^250/);
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], raw), /^250/);
    await w.runQueue();
    assert.equal(w.sink.messages.length, 1);
    const out = w.sink.messages[0]!;
    assert.deepEqual(out.to, ['carol@elsewhere.test']);
    // the original envelope sender, rewritten by SRS in the outbound path as for alias forwarding
    assert.match(out.from, /^SRS0=[^=]+=[^=]+=elsewhere\.test=dave@/);
    const text = out.raw.toString();
    assert.match(text, /^X-Sieve-Redirected-From: alice@local.test\r\nDelivered-To: alice@local.test\r\n/);
    assert.doesNotMatch(text, /^Return-Path:/m);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 0, 'redirect cancels the implicit keep');
  } finally {
    await w.close();
  }
});

test('a redirect loop between two accounts stops: the message ends in one INBOX, nothing bounces', async () => {
  const w = await world();
  try {
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], message('loop test')), /^250/);
    await w.runQueue();
    const bobInbox = await w.folder(w.bob, 'INBOX');
    assert.equal(bobInbox.length, 1, "bob's redirect back to alice fails (Delivered-To: alice), so bob keeps it");
    assert.match(bobInbox[0]!.raw, /X-Sieve-Redirected-From: alice@local.test/);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 0);
    assert.equal(w.sink.messages.length, 0);
    assert.equal((await w.h.ctx.store.listQueue()).length, 0);
  } finally {
    await w.close();
  }
});

test('vacation: one reply per period to a real sender, DKIM-signed, never to a list message', async () => {
  const w = await world();
  try {
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], message('lunch?')), /^250/);
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], message('lunch again?')), /^250/);
    assert.match(await w.send('news@elsewhere.test', ['alice@local.test'], message('newsletter', 'List-Id: <news.elsewhere.test>\nPrecedence: list')), /^250/);
    assert.match(await w.send('', ['alice@local.test'], message('bounce')), /^250/);
    await w.runQueue();
    assert.equal(w.sink.messages.length, 1, 'one reply: not the second message in the period, not the list, not the null sender');
    const reply = w.sink.messages[0]!;
    assert.deepEqual(reply.to, ['dave@elsewhere.test']);
    assert.equal(reply.from, '', 'null envelope sender (RFC 3834 §3.3)');
    const text = reply.raw.toString();
    assert.match(text, /^DKIM-Signature: .*d=local\.test/s);
    assert.match(text, /\r\nAuto-Submitted: auto-replied/);
    assert.match(text, /\r\nSubject: Away\r\n/);
    assert.match(text, /\r\nIn-Reply-To: <[^>]+@elsewhere.test>\r\n/);
    assert.match(text, /\r\n\r\nI am away until Monday\.\r\n$/);
    assert.equal((await w.folder(w.alice, 'INBOX')).length, 4, 'every message is still delivered');

    await new Promise((r) => setTimeout(r, 1100)); // the period (:seconds 1) passes
    assert.match(await w.send('dave@elsewhere.test', ['alice@local.test'], message('still there?')), /^250/);
    await w.runQueue();
    assert.equal(w.sink.messages.length, 2, 'a new period, a new reply');
  } finally {
    await w.close();
  }
});

test('a script that fails at run time keeps the message in INBOX', async () => {
  const w = await world();
  try {
    const scripts = new SieveScripts(w.h.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
    await scripts.put(w.bob.id, 'broken', 'require "include"; include "missing";');
    await scripts.setActive(w.bob.id, 'broken');
    const raw = message('hello bob').replace('To: alice@local.test', 'To: bob@local.test');
    assert.match(await w.send('dave@elsewhere.test', ['bob@local.test'], raw), /^250/);
    assert.equal((await w.folder(w.bob, 'INBOX')).length, 1);
  } finally {
    await w.close();
  }
});
