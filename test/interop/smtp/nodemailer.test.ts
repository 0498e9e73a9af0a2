/**
 * Interop with nodemailer as a mail client: submission with AUTH over STARTTLS (587) and
 * implicit TLS (465), and a refused foreign From:.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { makeHarness } from '../../protocol/smtp/harness.js';

async function setup() {
  const h = await makeHarness();
  await h.addUser('alice@local.test', 'pw-alice-1');
  await h.addUser('bob@local.test', 'pw-bob-1');
  return h;
}

for (const mode of ['submission', 'submissions'] as const) {
  test(`nodemailer sends through ${mode} with AUTH`, async () => {
    const h = await setup();
    try {
      const l = await h.start(mode);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: l.port,
        secure: mode === 'submissions',
        requireTLS: mode === 'submission',
        auth: { user: 'alice@local.test', pass: 'pw-alice-1' },
        tls: { rejectUnauthorized: false },
      });
      const info = await transport.sendMail({
        from: 'Alice <alice@local.test>',
        to: ['bob@local.test', 'carol@far.test'],
        subject: 'Grüße',
        text: 'Hallo Bob — ünïcödé body',
      });
      assert.deepEqual(info.accepted, ['bob@local.test', 'carol@far.test']);
      const bob = (await h.ctx.store.getAccount('bob@local.test'))!;
      const inbox = (await h.ctx.store.getMailbox(bob.id, 'INBOX'))!;
      const [m] = await h.ctx.store.getMessages(bob.id, inbox.id, [[1, Infinity]]);
      const raw = (await h.ctx.store.getRaw(bob.id, inbox.id, m!.uid)).toString();
      assert.match(raw, new RegExp(`Message-ID: ${info.messageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'));
      assert.deepEqual((await h.ctx.store.listQueue()).map((q) => q.recipients), [['carol@far.test']]);

      await assert.rejects(
        transport.sendMail({ from: 'bob@local.test', to: 'carol@far.test', subject: 'spoof', text: 'x' }),
        (e: Error & { responseCode?: number }) => e.responseCode === 553,
      );
      transport.close();
    } finally {
      await h.close();
    }
  });
}
