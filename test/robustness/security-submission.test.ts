/**
 * Security review, issue 9 item 5: the From: check on submission cannot be bypassed with a
 * bare CR (or LF) hiding a second From:, a second From: or a foreign Sender:, and what is
 * checked and DKIM-signed is exactly what goes out (our outbound client turns bare CR and
 * LF into CRLF, so the queued message must not contain any).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth';
import { makeHarness, SmtpClient } from '../protocol/smtp/harness.js';
import { dkimTxtValue } from '../../src/smtp/dnsrecords.js';

const HEAD = 'To: victim@elsewhere.test\r\nSubject: hi\r\nDate: Thu, 26 Nov 2026 03:00:00 +0000\r\nMessage-ID: <m1@local.test>\r\n';

test('submission: bare CR/LF in the header, a second From:, a foreign Sender: are refused; the rest is signed as sent', async () => {
  const h = await makeHarness();
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await h.ctx.store.addDomain('local.test', { selector: 'lb1', privateKey });
    await h.addUser('alice@local.test', 'pw-alice-1');
    const l = await h.start('submission');
    const { client } = await SmtpClient.connect(l.port);
    await client.cmd('EHLO c.test');
    await client.starttls();
    await client.cmd('EHLO c.test');
    assert.match(await client.authPlain('alice@local.test', 'pw-alice-1'), /^235 /);
    const send = async (message: string) => {
      assert.match(await client.cmd('MAIL FROM:<alice@local.test>'), /^250 /);
      assert.match(await client.cmd('RCPT TO:<victim@elsewhere.test>'), /^250 /);
      return client.data(Buffer.from(message, 'latin1'));
    };

    const refused: Array<[string, RegExp]> = [
      // the review's case: a bare CR hides a second, unchecked From
      [`From: alice@local.test\r\nX-A: 1\rFrom: ceo@victim.example\r\n${HEAD}\r\nbody\r\n`, /^550 5\.6\.0 .*bare CR or LF/],
      [`From: alice@local.test\r\nX-A: 1\nFrom: ceo@victim.example\r\n${HEAD}\r\nbody\r\n`, /^550 5\.6\.0 .*bare CR or LF/],
      [`From: alice@local.test\r\n${HEAD}X-B: 2\r\rFrom: ceo@victim.example\r\n\r\nbody\r\n`, /^550 5\.6\.0 .*bare CR or LF/],
      [`From: alice@local.test\r\nFrom: ceo@victim.example\r\n${HEAD}\r\nbody\r\n`, /^550 5\.6\.0 .*more than one From/],
      [`From: alice@local.test\r\nFROM : alice@local.test\r\n${HEAD}\r\nbody\r\n`, /^550 5\.6\.0 .*more than one From/],
      [`From: alice@local.test\r\nSender: ceo@victim.example\r\n${HEAD}\r\nbody\r\n`, /^553 5\.7\.1 .*Sender/],
    ];
    for (const [message, reply] of refused) assert.match(await send(message), reply, JSON.stringify(message.slice(0, 80)));
    assert.equal((await h.ctx.store.listQueue()).length, 0, 'nothing refused was queued');

    // a body with bare CR and LF is sent with CRLF line breaks, and signed that way
    assert.match(await send(`From: Alice <alice@local.test>\r\nSender: alice@local.test\r\n${HEAD}\r\nline one\nline two\rline three\r\n.dot\r\n`), /^250 /);
    const [item] = await h.ctx.store.listQueue();
    assert.ok(item);
    const queued = await h.ctx.store.getQueueRaw(item.id);
    const text = queued.toString('latin1');
    assert.doesNotMatch(text, /\r(?!\n)|(?<!\r)\n/, 'no bare CR or LF left: the outbound client changes nothing but dot-stuffing');
    assert.ok(text.endsWith('\r\n\r\nline one\r\nline two\r\nline three\r\n.dot\r\n'), JSON.stringify(text.slice(-80)));
    const txt = dkimTxtValue(privateKey);
    const res = await dkimVerify(queued, {
      resolver: (async (name: string, type: string) => {
        if (type === 'TXT' && name === 'lb1._domainkey.local.test') return [[txt]];
        throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      }) as never,
    });
    assert.equal(res.results[0]?.status.result, 'pass', 'the signature covers the bytes that go out');
    client.close();
  } finally {
    await h.close();
  }
});
