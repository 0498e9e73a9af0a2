/**
 * DSN (RFC 3461) on inbound port 25 (issue 15 asks for it on inbound and submission; the
 * submission side and the queue are in trust-outbound.test.ts): NOTIFY=SUCCESS makes a
 * "delivered" notice to the sender with ENVID and ORCPT; NOTIFY=NEVER and no NOTIFY make
 * none; a copy refused after DATA (here by one recipient's Sieve reject while the other
 * recipient accepts) makes a failure notice only when NOTIFY allows it and SPF vouches for
 * the sender (no backscatter). The notices go out through the outbound queue.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, SmtpClient, type Harness } from './harness.js';
import { tableResolver } from '../../../src/smtp/core/dns.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';
import type { RunningListener } from '../../../src/net/types.js';

let h: Harness;
let l: RunningListener;

const RESOLVER = tableResolver({
  'vouched.test': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] },
  'unvouched.test': { TXT: [['v=spf1 -all']] },
});

before(async () => {
  h = await makeHarness({ smtp: { verify_inbound: true } });
  await h.addUser('alice@local.test', 'pw-alice-123');
  const bob = await h.addUser('bob@local.test', 'pw-bob-1234');
  const scripts = new SieveScripts(h.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
  await scripts.put(bob.id, 'main', 'require "reject";\nif header :contains "subject" "refuse" { reject "not wanted"; }\n');
  await scripts.setActive(bob.id, 'main');
  l = await h.start('smtp', 'none', RESOLVER);
});
after(() => h.close());

/** one transaction over port 25; returns every reply after EHLO */
async function send(mailFrom: string, rcpts: string[], subject: string): Promise<string[]> {
  const { client } = await SmtpClient.connect(l.port);
  try {
    const ehlo = await client.cmd('EHLO client.example.net');
    assert.match(ehlo, /250[- ]DSN/, 'port 25 offers DSN');
    const replies = [await client.cmd(mailFrom)];
    for (const r of rcpts) replies.push(await client.cmd(r));
    replies.push(await client.data(`From: <x@example.net>\r\nTo: <alice@local.test>\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.net>\r\n\r\nhello\r\n`));
    return replies;
  } finally {
    client.close();
  }
}

/** the DSNs queued since `seen`, with their text */
async function notices(seen: Set<string>): Promise<Array<{ to: string[]; from: string; text: string }>> {
  const out = [];
  for (const q of await h.ctx.store.listQueue()) {
    if (seen.has(q.id)) continue;
    seen.add(q.id);
    const text = (await h.ctx.store.getQueueRaw(q.id)).toString();
    if (text.includes('multipart/report')) out.push({ to: q.recipients, from: q.from, text });
  }
  return out;
}

test('NOTIFY=SUCCESS: a "delivered" notice to the sender, with ENVID and ORCPT; NEVER and no NOTIFY: none', async () => {
  const seen = new Set<string>();
  await notices(seen);
  let r = await send('MAIL FROM:<carol@vouched.test> ENVID=in-77', ['RCPT TO:<alice@local.test> NOTIFY=SUCCESS ORCPT=rfc822;alice@local.test'], 'hello');
  assert.ok(r.every((x) => x.startsWith('250')), r.join(' | '));
  const dsns = await notices(seen);
  assert.equal(dsns.length, 1, 'one success notice');
  const d = dsns[0]!;
  assert.deepEqual(d.to, ['carol@vouched.test']);
  assert.equal(d.from, '', 'a DSN has the null sender (RFC 3461 §6.2)');
  assert.match(d.text, /^Action: delivered$/m);
  assert.match(d.text, /^Final-Recipient: rfc822; alice@local\.test$/m);
  assert.match(d.text, /^Original-Recipient: rfc822;alice@local\.test$/m);
  assert.match(d.text, /^Original-Envelope-Id: in-77$/m);

  r = await send('MAIL FROM:<carol@vouched.test>', ['RCPT TO:<alice@local.test> NOTIFY=NEVER'], 'quiet');
  assert.ok(r.every((x) => x.startsWith('250')), r.join(' | '));
  r = await send('MAIL FROM:<carol@vouched.test>', ['RCPT TO:<alice@local.test>'], 'default');
  assert.ok(r.every((x) => x.startsWith('250')), r.join(' | '));
  assert.deepEqual(await notices(seen), [], 'no notice for NEVER, none by default for a delivery');
});

test('a copy refused after DATA: a failure notice to an SPF-verified sender that asked for it, none otherwise', async () => {
  const seen = new Set<string>();
  await notices(seen);
  const rcpts = ['RCPT TO:<alice@local.test> NOTIFY=FAILURE', 'RCPT TO:<bob@local.test> NOTIFY=FAILURE'];
  let r = await send('MAIL FROM:<carol@vouched.test> RET=HDRS', rcpts, 'please refuse');
  assert.ok(r.every((x) => x.startsWith('250')), 'accepted: alice takes it');
  let dsns = await notices(seen);
  assert.equal(dsns.length, 1, 'a failure notice for bob only');
  assert.deepEqual(dsns[0]!.to, ['carol@vouched.test']);
  assert.match(dsns[0]!.text, /^Action: failed$/m);
  assert.match(dsns[0]!.text, /^Final-Recipient: rfc822; bob@local\.test$/m);
  assert.doesNotMatch(dsns[0]!.text, /Final-Recipient: rfc822; alice/);
  assert.match(dsns[0]!.text, /Content-Type: text\/rfc822-headers/, 'RET=HDRS');

  r = await send('MAIL FROM:<carol@vouched.test>', ['RCPT TO:<alice@local.test>', 'RCPT TO:<bob@local.test> NOTIFY=NEVER'], 'refuse again');
  assert.ok(r.every((x) => x.startsWith('250')));
  assert.deepEqual(await notices(seen), [], 'NOTIFY=NEVER: no failure notice');

  r = await send('MAIL FROM:<dave@unvouched.test>', rcpts, 'refuse once more');
  assert.ok(r.every((x) => x.startsWith('250')));
  dsns = await notices(seen);
  assert.deepEqual(dsns, [], 'SPF does not vouch for the sender: no bounce (backscatter)');
});
