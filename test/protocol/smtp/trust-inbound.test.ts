/**
 * Issue 15, inbound, end to end over port 25 with real DNS answers (an in-process DNS
 * server that letterbox reaches through `dns.servers`): DMARC p=reject refused with
 * 550 5.7.1, p=quarantine (and pct) into Junk, a clean message in INBOX with spf=pass and
 * dmarc=pass, forged X-Spam fields removed; trusted forwarders per local domain (an ARC seal
 * letting a DMARC failure in for one domain and not for another); rspamd (Debian's, private configuration, one
 * per file) applying each of its actions, and failing open or closed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { GTUBE, rspamdInstalled, startRspamd, type Rspamd } from '../../helpers/rspamd.js';
import { SmtpClient } from './harness.js';
import { sendDmarcReports } from '../../../src/smtp/dmarc/outgoing.js';
import { parseAggregateXml, unpackReport } from '../../../src/smtp/dmarc/aggregate.js';
import { resolverFor } from '../../../src/smtp/core/dns.js';
import { startTrustServer, type TrustServer } from './trust-harness.js';

const USER = 'alice@local.test';

function message(from: string, subject: string, body = 'Hello Alice, see you at the meeting tomorrow.') {
  return `From: <${from}>\r\nTo: <${USER}>\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@x.test>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
}

/** one SMTP transaction on port 25; the reply to the end of DATA (or the first refusal) */
async function send(port: number, from: string, raw: string, rcpt = USER): Promise<string> {
  const { client } = await SmtpClient.connect(port);
  try {
    await client.cmd('EHLO client.sender.test');
    let r = await client.cmd(`MAIL FROM:<${from}>`);
    if (!r.startsWith('250')) return r;
    r = await client.cmd(`RCPT TO:<${rcpt}>`);
    if (!r.startsWith('250')) return r;
    return await client.data(raw);
  } finally {
    client.close();
  }
}

let dns: TestDns;
before(async () => {
  dns = await startTestDns({
    records: {
      // mail from 127.0.0.1 passes SPF for good.test, fails for the others
      'good.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
      '_dmarc.good.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
      'reject.test': [{ type: 'TXT', data: 'v=spf1 -all' }],
      '_dmarc.reject.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:agg@elsewhere.test' }],
      'quarantine.test': [{ type: 'TXT', data: 'v=spf1 -all' }],
      '_dmarc.quarantine.test': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine; rua=mailto:reports@quarantine.test' }],
      'halfreject.test': [{ type: 'TXT', data: 'v=spf1 -all' }],
      '_dmarc.halfreject.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; pct=0' }],
      'monitor.test': [{ type: 'TXT', data: 'v=spf1 -all' }],
      '_dmarc.monitor.test': [{ type: 'TXT', data: 'v=DMARC1; p=none' }],
    },
  });
});
after(() => dns.close());

describe('DMARC policy over port 25', () => {
  let s: TrustServer;
  before(async () => {
    s = await startTrustServer(dns.server);
    await s.addUser(USER, 'pw-alice-1');
  });
  after(() => s.stop());

  test('p=reject failing DMARC is refused with 550 5.7.1 and stored nowhere', async () => {
    const reply = await send(s.port('smtp'), 'ceo@reject.test', message('ceo@reject.test', 'wire money'));
    assert.match(reply, /^550 5\.7\.1 .*DMARC/);
    assert.equal((await s.messages(USER, 'INBOX')).length, 0);
    assert.equal((await s.messages(USER, 'Junk')).length, 0);
    assert.ok(dns.queries.includes('_dmarc.reject.test TXT'), 'the DMARC record was asked for over DNS');
  });

  test('p=quarantine failing DMARC goes to Junk with X-Spam fields', async () => {
    const reply = await send(s.port('smtp'), 'news@quarantine.test', message('news@quarantine.test', 'quarantined'));
    assert.match(reply, /^250 /);
    const junk = await s.messages(USER, 'Junk');
    const msg = junk.find((m) => m.includes('Subject: quarantined'));
    assert.ok(msg, 'in Junk');
    assert.match(msg, /X-Spam-Flag: YES/);
    assert.match(msg, /X-Spam-Status: Yes.*dmarc=quarantine/);
    assert.match(msg, /dmarc=fail/);
    assert.ok(!(await s.messages(USER, 'INBOX')).some((m) => m.includes('Subject: quarantined')));
  });

  test('pct=0: p=reject is applied to no message, which is quarantined instead (RFC 7489 §6.6.4)', async () => {
    const reply = await send(s.port('smtp'), 'x@halfreject.test', message('x@halfreject.test', 'pct zero'));
    assert.match(reply, /^250 /);
    assert.ok((await s.messages(USER, 'Junk')).some((m) => m.includes('Subject: pct zero')));
  });

  test('p=none failing DMARC is delivered to INBOX', async () => {
    assert.match(await send(s.port('smtp'), 'x@monitor.test', message('x@monitor.test', 'monitor only')), /^250 /);
    assert.ok((await s.messages(USER, 'INBOX')).some((m) => m.includes('Subject: monitor only')));
  });

  test('a clean message passing SPF and DMARC lands in INBOX; forged X-Spam fields are removed', async () => {
    const raw = message('friend@good.test', 'lunch').replace('Subject:', 'X-Spam-Flag: NO\r\nX-Spam-Status: No, forged\r\nSubject:');
    assert.match(await send(s.port('smtp'), 'friend@good.test', raw), /^250 /);
    const msg = (await s.messages(USER, 'INBOX')).find((m) => m.includes('Subject: lunch'));
    assert.ok(msg, 'in INBOX');
    assert.match(msg, /spf=pass/);
    assert.match(msg, /dmarc=pass/);
    assert.doesNotMatch(msg, /X-Spam-Flag/);
    assert.doesNotMatch(msg, /forged/);
  });
});

describe('trusted forwarders per local domain (ARC)', () => {
  // a mailing list at lists.fwd.test relays a message from ceo@reject.test (p=reject, SPF -all)
  // and seals it (RFC 8617): strict.test has its own empty list, open.test uses the server-wide one
  let s: TrustServer;
  let forwarded: string;
  before(async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { authenticate } = await import('mailauth');
    const { dkimTxtValue } = await import('../../../src/smtp/dnsrecords.js');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    dns.set('s1._domainkey.lists.fwd.test', [{ type: 'TXT', data: dkimTxtValue(pem) }]);
    const original = message('ceo@reject.test', 'via the list');
    const sealed = await authenticate(Buffer.from(original), {
      ip: '192.0.2.7',
      helo: 'mx.reject.test',
      sender: 'ceo@reject.test',
      mta: 'lists.fwd.test',
      resolver: resolverFor({ dns: { servers: [dns.server], timeout_ms: 2000 } }) as never,
      seal: { signingDomain: 'lists.fwd.test', selector: 's1', privateKey: pem },
    } as Parameters<typeof authenticate>[1]);
    const arc = sealed.headers.replace(/\r?\n/g, '\r\n').match(/^ARC-[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/gim) ?? [];
    assert.equal(arc.length, 3, 'the list sealed the message');
    forwarded = arc.join('') + original;
    s = await startTrustServer(
      dns.server,
      `[dmarc]\ntrusted_forwarders = ["fwd.test"]\n[dmarc.domains."Strict.Test."]\ntrusted_forwarders = []\n[dmarc.domains."own.test"]\ntrusted_forwarders = ["lists.fwd.test"]\n`,
    );
    for (const u of ['bob@open.test', 'carol@strict.test', 'dan@own.test']) await s.addUser(u, 'pw-' + u);
  });
  after(() => s.stop());

  /** one transaction from the list's envelope sender to these recipients */
  async function relay(rcpts: string[]): Promise<string> {
    const { client } = await SmtpClient.connect(s.port('smtp'));
    try {
      await client.cmd('EHLO lists.fwd.test');
      await client.cmd('MAIL FROM:<bounces@lists.fwd.test>');
      for (const r of rcpts) assert.match(await client.cmd(`RCPT TO:<${r}>`), /^250/);
      return await client.data(forwarded);
    } finally {
      client.close();
    }
  }
  const has = async (user: string, box: string) => (await s.messages(user, box)).filter((m) => m.includes('Subject: via the list')).length;

  test('the server-wide list serves a domain without its own: delivered to INBOX', async () => {
    assert.match(await relay(['bob@open.test']), /^250 /);
    assert.equal(await has('bob@open.test', 'INBOX'), 1);
    const msg = (await s.messages('bob@open.test', 'INBOX')).at(-1)!;
    assert.match(msg, /arc=pass/);
    assert.match(msg, /dmarc=fail/);
  });

  test('a domain\'s own empty list trusts nobody: refused with 550 5.7.1', async () => {
    assert.match(await relay(['carol@strict.test']), /^550 5\.7\.1 .*DMARC/);
    assert.equal(await has('carol@strict.test', 'INBOX') + (await has('carol@strict.test', 'Junk')), 0);
  });

  test('a domain\'s own list naming the forwarder: delivered to INBOX', async () => {
    assert.match(await relay(['dan@own.test']), /^250 /);
    assert.equal(await has('dan@own.test', 'INBOX'), 1);
  });

  test('one message for a trusting and a strict domain: accepted, into Junk for the strict one only', async () => {
    assert.match(await relay(['bob@open.test', 'carol@strict.test']), /^250 /);
    assert.equal(await has('bob@open.test', 'INBOX'), 2);
    assert.equal(await has('bob@open.test', 'Junk'), 0);
    assert.equal(await has('carol@strict.test', 'INBOX'), 0);
    const junk = (await s.messages('carol@strict.test', 'Junk')).filter((m) => m.includes('Subject: via the list'));
    assert.equal(junk.length, 1);
    assert.match(junk[0]!, /X-Spam-Status: Yes.*dmarc=reject/);
  });
});

describe('connection-time checks', () => {
  test('DNSBL: a listed client is refused at connect with 554 naming the list; unlisted zones pass', async () => {
    dns.set('1.0.0.127.bl.test', [{ type: 'A', data: '127.0.0.2' }]);
    const listed = await startTrustServer(dns.server, `[smtp]\ndnsbl = ["clean.test", "bl.test"]\n`);
    const clean = await startTrustServer(dns.server, `[smtp]\ndnsbl = ["clean.test"]\n`);
    try {
      const a = await SmtpClient.connect(listed.port('smtp'));
      assert.match(a.greeting, /^554 .*listed by bl\.test/);
      a.client.close();
      const b = await SmtpClient.connect(clean.port('smtp'));
      assert.match(b.greeting, /^220 /);
      b.client.close();
      assert.ok(dns.queries.includes('1.0.0.127.bl.test A'));
    } finally {
      await listed.stop();
      await clean.stop();
    }
  });

  test('early talker: a client that speaks before the banner gets 421', async () => {
    const s = await startTrustServer(dns.server, `[smtp]\ngreet_pause_ms = 700\n`);
    try {
      const { createConnection } = await import('node:net');
      const sock = createConnection(s.port('smtp'), '127.0.0.1');
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      await new Promise((r) => sock.once('connect', r));
      sock.write('EHLO impatient.test\r\n');
      await new Promise((r) => setTimeout(r, 1500));
      sock.destroy();
      assert.match(got, /^421 .*talk too soon/m);
      // a patient client is served
      const ok = await SmtpClient.connect(s.port('smtp'));
      assert.match(ok.greeting, /^220 /);
      ok.client.close();
    } finally {
      await s.stop();
    }
  });

  test('greylisting: 451 4.7.1 at first, accepted on a retry after the delay; allow-listed senders pass at once', async () => {
    const s = await startTrustServer(dns.server, `[smtp]\ngreylisting = true\ngreylist_delay_s = 1\ngreylist_allow = ["trusted.test"]\n`);
    try {
      await s.addUser(USER, 'pw-alice-1');
      assert.match(await send(s.port('smtp'), 'x@good.test', message('x@good.test', 'grey')), /^451 4\.7\.1 Greylisted/);
      assert.match(await send(s.port('smtp'), 'x@good.test', message('x@good.test', 'grey')), /^451 4\.7\.1/, 'too early');
      await new Promise((r) => setTimeout(r, 1100));
      assert.match(await send(s.port('smtp'), 'x@good.test', message('x@good.test', 'grey')), /^250 /);
      assert.match(await send(s.port('smtp'), 'x@good.test', message('x@good.test', 'grey again')), /^250 /, 'remembered');
      assert.match(await send(s.port('smtp'), 'y@trusted.test', message('y@trusted.test', 'vip')), /^250 /);
    } finally {
      await s.stop();
    }
  });

  test('reverse DNS and HELO findings are reasons, not refusals', async () => {
    const s = await startTrustServer(dns.server);
    try {
      await s.addUser(USER, 'pw-alice-1');
      // no PTR for 127.0.0.1 in the test zone; and a HELO that is not a FQDN
      const { client } = await SmtpClient.connect(s.port('smtp'));
      await client.cmd('EHLO localbox');
      await client.cmd('MAIL FROM:<x@good.test>');
      await client.cmd(`RCPT TO:<${USER}>`);
      assert.match(await client.data(message('x@good.test', 'rdns')), /^250 /);
      client.close();
      const msg = (await s.messages(USER, 'INBOX')).find((m) => m.includes('Subject: rdns'));
      assert.ok(msg, 'delivered to INBOX (2 points, under rdns_junk_score 3)');
      assert.match(msg, /X-Spam-Status: No, score=2\.00 required=3\.00 tests=HELO_NOT_FQDN,RDNS_NONE/);
      dns.set('1.0.0.127.in-addr.arpa', [{ type: 'PTR', data: 'mx.good.test' }]);
      dns.set('mx.good.test', [{ type: 'A', data: '127.0.0.1' }]);
      assert.match(await send(s.port('smtp'), 'x@good.test', message('x@good.test', 'confirmed')), /^250 /);
      const ok = (await s.messages(USER, 'INBOX')).find((m) => m.includes('Subject: confirmed'));
      assert.doesNotMatch(ok ?? '', /RDNS_|HELO_/, 'forward-confirmed PTR and a FQDN HELO: nothing to say');
    } finally {
      dns.remove('1.0.0.127.in-addr.arpa');
      await s.stop();
    }
  });
});

describe('our DMARC aggregate reports', () => {
  test('what the DMARC tests above sent is reported to the rua that accepts it', async () => {
    const s = await startTrustServer(dns.server);
    try {
      await s.addUser(USER, 'pw-alice-1');
      assert.match(await send(s.port('smtp'), 'a@quarantine.test', message('a@quarantine.test', 'q1')), /^250 /);
      assert.match(await send(s.port('smtp'), 'b@quarantine.test', message('b@quarantine.test', 'q2')), /^250 /);
      assert.match(await send(s.port('smtp'), 'c@reject.test', message('c@reject.test', 'r1')), /^550 /);
      const ctx = s.server.ctx;
      const sent = await sendDmarcReports(ctx, new Date().toISOString().slice(0, 10), resolverFor(ctx.config));
      // reject.test's rua is in another domain that did not agree (RFC 7489 §7.1): nothing for it
      assert.deepEqual(sent, ['quarantine.test']);
      const item = (await ctx.store.listQueue()).find((q) => q.recipients.includes('reports@quarantine.test'));
      assert.ok(item, 'report queued to the rua address');
      const raw = (await ctx.store.getQueueRaw(item.id)).toString('latin1');
      assert.match(raw, /^Subject: Report Domain: quarantine\.test Submitter: mail\.example\.test Report-ID: </m);
      const b64 = /Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(raw)![1]!;
      const report = parseAggregateXml(unpackReport(Buffer.from(b64.replace(/\r\n/g, ''), 'base64')));
      assert.equal(report.domain, 'quarantine.test');
      assert.equal(report.policy, 'quarantine');
      assert.deepEqual(report.records, [{ sourceIp: '127.0.0.1', count: 2, disposition: 'quarantine', dkim: 'fail', spf: 'fail', headerFrom: 'quarantine.test' }]);
    } finally {
      await s.stop();
    }
  });
});

describe('rspamd', { skip: !rspamdInstalled() && 'rspamd is not installed (apt-get install rspamd)' }, () => {
  let rspamd: Rspamd;
  let s: TrustServer;
  before(async () => {
    rspamd = await startRspamd({ dnsServer: dns.server });
    s = await startTrustServer(dns.server, `[spam.rspamd]\nurl = "${rspamd.url}"\ntimeout_ms = 20000\n[spam.bayes]\nenabled = false\n`);
    await s.addUser(USER, 'pw-alice-1');
  });
  after(async () => {
    await s?.stop();
    await rspamd?.stop();
  });

  test('"add header" (GTUBE test pattern): delivered to Junk with rspamd\'s score', async () => {
    assert.match(await send(s.port('smtp'), 'a@good.test', message('a@good.test', 'gtube add header', GTUBE.addHeader)), /^250 /);
    const msg = (await s.messages(USER, 'Junk')).find((m) => m.includes('Subject: gtube add header'));
    assert.ok(msg, 'in Junk');
    assert.match(msg, /X-Spam-Flag: YES/);
    assert.match(msg, /X-Spam-Status: Yes, score=[\d.]+ required=[\d.]+ tests=(RDNS_NONE,)?rspamd,.*GTUBE/);
  });

  test('"reject" (the standard GTUBE): 550 5.7.1 with rspamd\'s message at SMTP time, stored nowhere (refused, not dropped)', async () => {
    const before = (await s.messages(USER, 'INBOX')).length + (await s.messages(USER, 'Junk')).length;
    const reply = await send(s.port('smtp'), 'a@good.test', message('a@good.test', 'gtube reject', GTUBE.reject));
    assert.match(reply, /^550 5\.7\.1 Message rejected as spam: Gtube pattern/);
    // the sender's server holds the message and bounces it; nothing was accepted here
    assert.equal((await s.messages(USER, 'INBOX')).length + (await s.messages(USER, 'Junk')).length, before);
  });

  test('"rewrite subject": Junk with the Subject rspamd gives', async () => {
    assert.match(await send(s.port('smtp'), 'a@good.test', message('a@good.test', 'gtube rewrite', GTUBE.rewriteSubject)), /^250 /);
    const msg = (await s.messages(USER, 'Junk')).find((m) => /Subject: .*gtube rewrite/.test(m));
    assert.ok(msg, 'in Junk');
    assert.match(msg, /Subject: \*\*\* SPAM \*\*\* gtube rewrite/);
  });

  test('"no action": INBOX, X-Spam-Status: No', async () => {
    assert.match(await send(s.port('smtp'), 'a@good.test', message('a@good.test', 'gtube no action', GTUBE.noAction)), /^250 /);
    const msg = (await s.messages(USER, 'INBOX')).find((m) => m.includes('Subject: gtube no action'));
    assert.ok(msg, 'in INBOX');
    assert.match(msg, /X-Spam-Status: No, score=/);
  });

  test('"soft reject": 451 4.7.1, nothing stored', async () => {
    const before = (await s.messages(USER, 'INBOX')).length + (await s.messages(USER, 'Junk')).length;
    assert.match(await send(s.port('smtp'), 'a@good.test', message('a@good.test', 'LB-SOFT-REJECT please')), /^451 4\.7\.1 /);
    assert.equal((await s.messages(USER, 'INBOX')).length + (await s.messages(USER, 'Junk')).length, before);
  });
});

describe('rspamd not answering', () => {
  // accepts connections and never answers: a hung filter
  const sockets = new Set<Socket>();
  const silent = createServer((c) => {
    sockets.add(c);
    c.on('error', () => {});
  });
  let url = '';
  before(async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const c of sockets) c.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  for (const mode of ['open', 'closed'] as const) {
    test(`on_failure = "${mode}": after timeout_ms the message is ${mode === 'open' ? 'delivered unfiltered' : 'deferred with 451 4.7.1'}`, async () => {
      const s = await startTrustServer(dns.server, `[spam.rspamd]\nurl = "${url}"\ntimeout_ms = 300\non_failure = "${mode}"\n`);
      try {
        await s.addUser(USER, 'pw-alice-1');
        const reply = await send(s.port('smtp'), 'a@good.test', message('a@good.test', `hung ${mode}`));
        if (mode === 'open') {
          assert.match(reply, /^250 /);
          assert.ok((await s.messages(USER, 'INBOX')).some((m) => m.includes(`Subject: hung ${mode}`)));
        } else {
          assert.match(reply, /^451 4\.7\.1 /);
          assert.equal((await s.messages(USER, 'INBOX')).length, 0);
        }
      } finally {
        await s.stop();
      }
    });
  }
});
