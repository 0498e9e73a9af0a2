/**
 * `letterbox queue` and `letterbox dns` in-process, and the DKIM record it prints checked
 * end to end: a message signed on submission verifies with mailauth against that record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth';
import { makeCli } from '../../unit/cli/harness.js';
import { dkimTxtValue } from '../../../src/smtp/dnsrecords.js';
import { signatureFor } from '../../../src/smtp/core/dkim.js';
import { createLogger } from '../../../src/log.js';

test('queue list / retry / remove', async () => {
  const h = await makeCli();
  try {
    let r = await h.cli(['queue', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the queue is empty/);
    const a = await h.store.enqueue({ from: 'alice@local.test', recipients: ['x@far.test', 'y@far.test'], raw: Buffer.from('Subject: a\r\n\r\nx\r\n'), accountId: null });
    const b = await h.store.enqueue({ from: '', recipients: ['z@far.test'], raw: Buffer.from('Subject: b\r\n\r\nx\r\n'), accountId: null });
    const later = new Date(Date.now() + 3_600_000);
    await h.store.updateQueueItem(a.id, { nextAttemptAt: later, attempts: 2, lastError: 'x@far.test: 451 4.3.0 busy' });
    await h.store.updateQueueItem(b.id, { nextAttemptAt: later });
    r = await h.cli(['queue', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ID\s+FROM\s+TO\s+SIZE\s+AGE\s+ATTEMPTS\s+NEXT\s+LAST ERROR\n/);
    assert.match(r.stdout, new RegExp(`${a.id}\\s+alice@local\\.test\\s+x@far\\.test,y@far\\.test\\s+\\d+\\s+\\S+\\s+2\\s+in \\S+\\s+x@far\\.test: 451 4\\.3\\.0 busy`));
    assert.match(r.stdout, new RegExp(`${b.id}\\s+<>\\s+z@far\\.test`));

    r = await h.cli(['queue', 'retry', a.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await h.store.getQueueItem(a.id))!.nextAttemptAt.getTime() <= Date.now());
    assert.ok((await h.store.getQueueItem(b.id))!.nextAttemptAt.getTime() > Date.now());
    r = await h.cli(['queue', 'retry', '--all']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 messages will be retried/);
    assert.ok((await h.store.getQueueItem(b.id))!.nextAttemptAt.getTime() <= Date.now());
    r = await h.cli(['queue', 'retry']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /queue retry <id>, or --all/);

    r = await h.cli(['queue', 'remove', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no queued message nope/);
    r = await h.cli(['queue', 'remove', a.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await h.store.listQueue()).map((q) => q.id), [b.id]);
  } finally {
    await h.close();
  }
});

test('dns prints MX, SPF, DKIM, DMARC, SRV and autoconfig; the DKIM record verifies a signed message', async () => {
  const h = await makeCli('hostname = "mail.example.test"\n[listeners.submission]\nport = 587\n[listeners.pop3]\nenabled = false\n');
  try {
    let r = await h.cli(['domain', 'add', 'example.test']);
    assert.equal(r.code, 0, r.stderr);
    r = await h.cli(['dns', 'example.test']);
    assert.equal(r.code, 0, r.stderr);
    const o = r.stdout;
    const domain = (await h.store.getDomain('example.test'))!;
    assert.match(o, /^example\.test\.\s+IN MX\s+10 mail\.example\.test\./m);
    assert.match(o, /^example\.test\.\s+IN TXT\s+"v=spf1 mx -all"/m);
    assert.match(o, new RegExp(`^${domain.dkimSelector}\\._domainkey\\.example\\.test\\.\\s+IN TXT\\s+"v=DKIM1; k=rsa; p=`, 'm'));
    assert.match(o, /^_dmarc\.example\.test\.\s+IN TXT\s+"v=DMARC1; p=quarantine/m);
    assert.match(o, /^_submission\._tcp\.example\.test\.\s+IN SRV\s+0 1 587 mail\.example\.test\./m);
    assert.match(o, /^_submissions\._tcp\.example\.test\.\s+IN SRV\s+0 1 2465 mail\.example\.test\./m);
    assert.match(o, /^_imap\._tcp\.example\.test\.\s+IN SRV\s+0 1 2143 /m);
    assert.match(o, /^_imaps\._tcp\.example\.test\.\s+IN SRV\s+0 1 2993 /m);
    assert.match(o, /^_pop3\._tcp\.example\.test\.\s+IN SRV\s+0 0 0 \.$/m, 'disabled service: target "."');
    assert.match(o, /^_pop3s\._tcp\.example\.test\.\s+IN SRV\s+0 1 2995 /m);
    assert.match(o, /^autoconfig\.example\.test\.\s+IN CNAME mail\.example\.test\./m);

    // the printed key verifies what submission signs
    const txtLine = o.split('\n').find((l) => l.includes('_domainkey'))!;
    const txt = [...txtLine.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
    assert.equal(txt, dkimTxtValue(domain.dkimPrivateKey!));
    const raw = Buffer.from('From: a@example.test\r\nTo: b@far.test\r\nSubject: signed\r\nDate: Thu, 26 Nov 2026 03:00:00 +0000\r\n\r\nhello\r\n');
    const sig = await signatureFor(h.store, 'example.test', raw, createLogger({ log: { level: 'silent' } }));
    assert.match(sig, /^DKIM-Signature: /);
    const res = await dkimVerify(Buffer.concat([Buffer.from(sig), raw]), {
      resolver: (async (name: string, type: string) => {
        if (type === 'TXT' && name === `${domain.dkimSelector}._domainkey.example.test`) return [[txt]];
        throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      }) as never,
    });
    assert.equal(res.results[0]?.status.result, 'pass');

    // DMARC rua and TLS-RPT only name addresses handled here (issue 15)
    assert.match(o, /^_dmarc\.example\.test\.\s+IN TXT\s+"v=DMARC1; p=quarantine; adkim=s; aspf=s"/m, 'no rua while nobody reads postmaster@');
    assert.doesNotMatch(o, /_smtp\._tls/);
    assert.match(o, /^_mta-sts\.example\.test\.\s+IN TXT\s+"v=STSv1; id=[0-9a-f]{20}"/m);
    assert.match(o, /^mta-sts\.example\.test\.\s+IN CNAME mail\.example\.test\./m);
    await h.store.createAccount('postmaster@example.test', 'x');
    r = await h.cli(['dns', 'example.test']);
    assert.match(r.stdout, /^_dmarc\.example\.test\.\s+IN TXT\s+"v=DMARC1; p=quarantine; adkim=s; aspf=s; rua=mailto:postmaster@example\.test"/m);
    assert.match(r.stdout, /^_smtp\._tls\.example\.test\.\s+IN TXT\s+"v=TLSRPTv1; rua=mailto:postmaster@example\.test"/m);

    r = await h.cli(['dns', 'nowhere.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown domain nowhere\.test/);
  } finally {
    await h.close();
  }
});
