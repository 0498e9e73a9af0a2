/**
 * Hostile input for SMTP port 25 (inbound) over a real socket, memory and SQLite store:
 * garbage, oversized lines, DATA with bare LF / bare CR / NUL / 8-bit / long lines / no
 * terminator, SMTP smuggling variants, pipelining floods, commands out of order. Replies are
 * 4xx/5xx or a disconnect; a message answered 250 is stored with its bytes intact (after the
 * trace fields we prepend); an unfinished DATA stores nothing; the process never crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends, rng, LIMITS, USER, RawClient, type Fixture } from './harness.js';

/** the complete replies received so far, once at least `n` of them are there (or the socket closed) */
async function replies(c: RawClient, n: number, timeoutMs = 5000): Promise<string[]> {
  // the last line of each reply ("250 ok"; "250-..." lines continue it), complete lines only
  const parse = (x: string) => x.split('\r\n').slice(0, -1).filter((l) => /^\d{3}( |$)/.test(l));
  await c.expect((x) => parse(x).length >= n || c.closed, `${n} SMTP replies or a disconnect`, timeoutMs);
  return parse(c.take());
}

async function cmd(c: RawClient, line: string | Buffer): Promise<string> {
  c.write(typeof line === 'string' ? line + '\r\n' : line);
  const [r] = await replies(c, 1);
  return r ?? 'closed';
}

function assertRefused(r: string, what: string): void {
  assert.match(r, /^[45]\d\d |^closed$/, `${what}: expected 4xx/5xx or a disconnect, got ${r}`);
}

/** EHLO, MAIL, RCPT to the local user, ready for DATA */
async function transaction(c: RawClient, mailParams = ''): Promise<void> {
  assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
  assert.match(await cmd(c, `MAIL FROM:<sender@remote.test>${mailParams}`), /^250 /);
  assert.match(await cmd(c, `RCPT TO:<${USER}>`), /^250 /);
}

/** messages in INBOX other than the seeded one, raw */
async function newMessages(f: Fixture): Promise<Buffer[]> {
  const store = f.t.ctx.store;
  const snap = await store.snapshot(f.account.id, f.inboxId);
  const uids = [...snap.uids].filter((u) => u !== f.seededUid);
  return Promise.all(uids.map((u) => store.getRaw(f.account.id, f.inboxId, u)));
}

/** removes everything but the seeded message, so each case counts from zero */
async function clean(f: Fixture): Promise<void> {
  const store = f.t.ctx.store;
  const snap = await store.snapshot(f.account.id, f.inboxId);
  const uids = [...snap.uids].filter((u) => u !== f.seededUid);
  if (!uids.length) return;
  await store.storeFlags(f.account.id, f.inboxId, uids, 'add', ['\\Deleted']);
  await store.expunge(f.account.id, f.inboxId, uids);
}

/**
 * Sends DATA with `wire` as the exact bytes after the 354 (including the terminator), then
 * checks: one reply; on 250 exactly one new message whose bytes end with `original`.
 */
async function dataCase(c: RawClient, f: Fixture, wire: Buffer, original: Buffer | null, mailParams = ''): Promise<string> {
  await transaction(c, mailParams);
  assert.match(await cmd(c, 'DATA'), /^354 /);
  c.write(wire);
  const [r] = await replies(c, 1, 8000);
  const got = await newMessages(f);
  if (r && r.startsWith('250')) {
    assert.equal(got.length, 1, `one message stored for one 250: ${got.length}`);
    if (original) {
      const m = got[0]!;
      assert.ok(m.subarray(m.length - original.length).equals(original), `stored bytes end with what was sent:\n${JSON.stringify(m.toString('latin1').slice(-300))}`);
    }
  } else {
    assertRefused(r ?? 'closed', 'DATA');
    assert.equal(got.length, 0, 'nothing stored when DATA was refused');
  }
  // nothing more is said (no replies to "smuggled" commands)
  await c.until(() => false, 300);
  assert.doesNotMatch(c.text, /^\d{3} /m, `no further replies: ${JSON.stringify(c.text)}`);
  return r ?? 'closed';
}

const HDR = `From: sender@remote.test\r\nTo: ${USER}\r\nSubject: hostile\r\n\r\n`;

interface Case {
  name: string;
  run(c: RawClient, f: Fixture): Promise<void>;
}

const cases: Case[] = [
  {
    name: 'random bytes',
    async run(c) {
      const r = rng(21);
      for (let k = 0; k < 20; k++) c.write(Buffer.concat([r.bytes(200), Buffer.from('\r\n')]));
      await c.until(() => c.closed, 1500);
      for (const l of c.text.split('\r\n').filter(Boolean)) assert.match(l, /^[2345]\d\d[ -]/, `SMTP reply line: ${JSON.stringify(l)}`);
      assert.doesNotMatch(c.text, /^2\d\d /m, 'no garbage line is accepted');
    },
  },
  {
    name: 'command lines longer than 512 / limits.line_length',
    async run(c) {
      assertRefused(await cmd(c, `EHLO ${'h'.repeat(2000)}`), 'EHLO 2000 chars');
      if (c.closed) return;
      assertRefused(await cmd(c, `MAIL FROM:<${'a'.repeat(LIMITS.line_length + 10)}@remote.test>`), 'MAIL FROM beyond line_length');
    },
  },
  {
    name: '4 MB command line without a line end',
    async run(c) {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let k = 0; k < 64 && !c.closed; k++) c.write(chunk);
      await c.expect((x) => /^5\d\d /m.test(x) || c.closed, '5xx or a disconnect', 8000);
    },
  },
  {
    name: 'NUL bytes in commands',
    async run(c) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      assertRefused(await cmd(c, `MAIL FROM:<se\0nder@remote.test>`), 'NUL in MAIL FROM');
      if (c.closed) return;
      const r = await cmd(c, `RCPT TO:<ali\0ce@example.test>`);
      assertRefused(r, 'NUL in RCPT TO');
    },
  },
  {
    name: 'commands out of order',
    async run(c) {
      assertRefused(await cmd(c, 'DATA'), 'DATA before EHLO/MAIL');
      assertRefused(await cmd(c, `RCPT TO:<${USER}>`), 'RCPT before MAIL');
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      assertRefused(await cmd(c, 'DATA'), 'DATA before MAIL');
      assert.match(await cmd(c, 'MAIL FROM:<a@remote.test>'), /^250 /);
      assertRefused(await cmd(c, 'MAIL FROM:<b@remote.test>'), 'nested MAIL');
      assertRefused(await cmd(c, 'DATA'), 'DATA without RCPT');
      assertRefused(await cmd(c, 'AUTH PLAIN AGFsaWNlAHg='), 'AUTH on port 25');
      // CHUNKING is offered (RFC 3030): the chunk's octets are read, then the missing transaction refused
      assertRefused(await cmd(c, Buffer.from('BDAT 4 LAST\r\nQUIT')), 'BDAT without a transaction');
      assertRefused(await cmd(c, 'XYZZY'), 'unknown command');
    },
  },
  {
    name: 'MAIL with absurd SIZE, and a message over limits.message_size: refused, nothing stored, session goes on',
    async run(c, f) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      assertRefused(await cmd(c, 'MAIL FROM:<a@remote.test> SIZE=99999999999999999999'), 'SIZE over the limit');
      assert.match(await cmd(c, 'RSET'), /^250 /);
      assert.match(await cmd(c, 'MAIL FROM:<a@remote.test>'), /^250 /);
      assert.match(await cmd(c, `RCPT TO:<${USER}>`), /^250 /);
      assert.match(await cmd(c, 'DATA'), /^354 /);
      const line = 'z'.repeat(998) + '\r\n';
      c.write(HDR + line.repeat(Math.ceil((LIMITS.message_size + 10_000) / line.length)) + '.\r\n');
      const [r] = await replies(c, 1, 10_000);
      assertRefused(r ?? 'closed', 'message over the size limit');
      assert.equal((await newMessages(f)).length, 0);
      if (!c.closed) assert.match(await cmd(c, 'NOOP'), /^250 /);
    },
  },
  {
    name: 'DATA with bare LF line ends',
    async run(c, f) {
      const body = Buffer.from('From: sender@remote.test\nTo: alice@example.test\nSubject: lf\n\nline 1\nline 2\n');
      await dataCase(c, f, Buffer.concat([body, Buffer.from('\r\n.\r\n')]), null);
    },
  },
  {
    name: 'SMTP smuggling: <LF>.<LF> does not end DATA',
    async run(c, f) {
      const smuggled = `MAIL FROM:<evil@remote.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n`;
      const wire = Buffer.from(`${HDR}hello\n.\n${smuggled}.\r\n`);
      await dataCase(c, f, wire, null);
      const got = await newMessages(f);
      assert.ok(got.length <= 1);
      for (const m of got) assert.ok(m.toString('latin1').includes('Subject: smuggled'), 'the smuggled part stays inside the first message');
    },
  },
  {
    name: 'SMTP smuggling variants: <CR><LF>.<LF>, <LF>.<CR><LF>, <CR>.<CR>',
    async run(c, f) {
      for (const sep of ['\r\n.\n', '\n.\r\n', '\r.\r', '\r\n.\r']) {
        await clean(f);
        const smuggled = `MAIL FROM:<evil@remote.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n`;
        await dataCase(c, f, Buffer.from(`${HDR}hello${sep}${smuggled}.\r\n`), null);
        const got = await newMessages(f);
        assert.ok(got.length <= 1, `separator ${JSON.stringify(sep)}: at most one message`);
        for (const m of got) assert.ok(m.toString('latin1').includes('Subject: smuggled'), `separator ${JSON.stringify(sep)}: smuggled text inside`);
        if (c.closed) return;
        assert.match(await cmd(c, 'RSET'), /^250 /);
      }
    },
  },
  {
    name: 'DATA with bare CR, NUL bytes and 8-bit bytes without 8BITMIME',
    async run(c, f) {
      const original = Buffer.concat([Buffer.from(HDR), Buffer.from('bare\rCR\r\nnul\0here\r\neight '), Buffer.from([0xe9, 0xff, 0x80]), Buffer.from('\r\n')]);
      await dataCase(c, f, Buffer.concat([original, Buffer.from('.\r\n')]), original);
    },
  },
  {
    name: 'DATA lines over 1000 characters',
    async run(c, f) {
      const original = Buffer.from(HDR + 'q'.repeat(5000) + '\r\n' + 'w'.repeat(70_000) + '\r\n');
      await dataCase(c, f, Buffer.concat([original, Buffer.from('.\r\n')]), original);
    },
  },
  {
    name: 'DATA with dot-stuffed lines is stored un-stuffed',
    async run(c, f) {
      const original = Buffer.from(HDR + '.leading dot\r\n..two\r\n.\t\r\n');
      const wire = Buffer.from(HDR + '..leading dot\r\n...two\r\n..\t\r\n.\r\n');
      assert.match(await dataCase(c, f, wire, original), /^250/);
    },
  },
  {
    name: 'DATA cut off before the terminator (no final CRLF, then disconnect): nothing stored',
    async run(c, f) {
      await transaction(c);
      assert.match(await cmd(c, 'DATA'), /^354 /);
      c.write(HDR + 'no terminator\r\n.');
      await new Promise((r) => setTimeout(r, 150));
      c.destroy();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await newMessages(f)).length, 0);
    },
  },
  {
    name: 'DATA ending "text.\\r\\n" (the dot is not alone on its line), then disconnect: nothing stored',
    async run(c, f) {
      await transaction(c);
      assert.match(await cmd(c, 'DATA'), /^354 /);
      c.write(HDR + 'last line without CRLF.\r\n');
      await new Promise((r) => setTimeout(r, 150));
      assert.doesNotMatch(c.text, /^250 /m);
      c.destroy();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await newMessages(f)).length, 0);
    },
  },
  {
    name: '2000 pipelined NOOP/RSET commands, all answered',
    async run(c) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      c.write('NOOP\r\nRSET\r\n'.repeat(1000));
      const got = await replies(c, 2000, 15_000);
      assert.equal(got.length, 2000);
      for (const r of got) assert.match(r, /^250 /);
    },
  },
  {
    name: 'a pipelined transaction followed by garbage',
    async run(c, f) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      c.write(`MAIL FROM:<a@remote.test>\r\nRCPT TO:<${USER}>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<x@elsewhere.test>\r\nDATA\r\n`);
      const r = await replies(c, 4);
      assert.match(r[0]!, /^250 /);
      assert.match(r[1]!, /^250 /);
      assert.match(r[2]!, /^550 /, 'unknown local user');
      assert.match(r[3]!, /^5\d\d /, 'no relaying');
      if (r.length < 5) r.push(...(await replies(c, 1)));
      assert.match(r[4]!, /^354 /);
      c.write(HDR + 'ok\r\n.\r\n' + '\xff\xfe garbage\r\n'.repeat(5));
      const after = await replies(c, 6);
      assert.match(after[0]!, /^250 /);
      for (const x of after.slice(1)) assert.match(x, /^5\d\d /);
      assert.equal((await newMessages(f)).length, 1);
    },
  },
  {
    name: "150 recipients (limit 100) then DATA: the rest refused with 4xx, one copy for the one account",
    async run(c, f) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      assert.match(await cmd(c, 'MAIL FROM:<a@remote.test>'), /^250 /);
      // distinct addresses (plus-addressing) so no duplicate is folded
      c.write(Array.from({ length: 150 }, (_, i) => `RCPT TO:<alice+r${i}@example.test>\r\n`).join(''));
      const r = await replies(c, 150);
      assert.ok(r.slice(0, 100).every((x) => x.startsWith('250')), 'the first 100 accepted');
      assert.ok(r.slice(100).every((x) => /^4\d\d /.test(x)), 'the rest refused (4xx)');
      assert.match(await cmd(c, 'DATA'), /^354 /);
      c.write(HDR + 'many rcpts\r\n.\r\n');
      assert.match((await replies(c, 1))[0]!, /^250 /);
      // one account behind all the addresses: one or a few copies, never more than accepted
      const n = (await newMessages(f)).length;
      assert.equal(n, 1, `copies: ${n}`);
    },
  },
];

describeOnBackends((backend) => `SMTP (port 25) hostile input (${backend} store)`, (fixture) => {
  for (const k of cases) {
    test(k.name, { timeout: 30_000 }, async () => {
      const f = fixture();
      await clean(f);
      const c = await f.smtpConnect();
      try {
        await k.run(c, f);
      } finally {
        c.destroy();
      }
      await f.assertHealthy();
    });
  }
});

// ───────────── submission (587): AUTH and sender abuse ─────────────

const submissionCases: Case[] = [
  {
    name: 'AUTH with garbage base64, cancelled exchanges, oversized blobs',
    async run(c) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      for (const line of [
        'AUTH PLAIN !!!not*base64###',
        `AUTH PLAIN ${Buffer.from('\0\0\0').toString('base64')}`,
        `AUTH PLAIN ${Buffer.from(`\0${USER}\0wrong password`).toString('base64')}`,
        'AUTH X-NOPE',
      ]) {
        assertRefused(await cmd(c, line), line.slice(0, 30));
        if (c.closed) return;
      }
      assert.match(await cmd(c, 'AUTH LOGIN'), /^334 /);
      assertRefused(await cmd(c, '%%%%===='), 'garbage LOGIN continuation');
      if (c.closed) return;
      assert.match(await cmd(c, 'AUTH PLAIN'), /^334 /);
      assertRefused(await cmd(c, '*'), 'cancelled exchange');
      if (c.closed) return;
      assertRefused(await cmd(c, `AUTH PLAIN ${'QUFB'.repeat(3000)}`), '12 KB initial response');
      if (c.closed) return;
      assertRefused(await cmd(c, `MAIL FROM:<${USER}>`), 'MAIL without AUTH');
    },
  },
  {
    name: 'authenticated: foreign MAIL FROM and foreign From: are refused; nothing stored',
    async run(c, f) {
      assert.match(await cmd(c, 'EHLO client.test'), /^250 /);
      assert.match(await cmd(c, `AUTH PLAIN ${Buffer.from(`\0${USER}\0correct horse battery`).toString('base64')}`), /^235 /);
      assertRefused(await cmd(c, 'MAIL FROM:<ceo@example.test>'), 'MAIL FROM of another address in our domain');
      assertRefused(await cmd(c, 'MAIL FROM:<someone@elsewhere.test>'), 'MAIL FROM of a foreign domain');
      assert.match(await cmd(c, `MAIL FROM:<${USER}>`), /^250 /);
      assert.match(await cmd(c, `RCPT TO:<${USER}>`), /^250 /);
      assert.match(await cmd(c, 'DATA'), /^354 /);
      c.write(`From: The CEO <ceo@example.test>\r\nTo: ${USER}\r\nSubject: spoof\r\n\r\npay this\r\n.\r\n`);
      const [r] = await replies(c, 1);
      assertRefused(r ?? 'closed', 'From: not owned by the account');
      assert.equal((await newMessages(f)).length, 0);
    },
  },
];

describeOnBackends((backend) => `SMTP submission hostile input (${backend} store)`, (fixture) => {
  for (const k of submissionCases) {
    test(k.name, { timeout: 30_000 }, async () => {
      const f = fixture();
      await clean(f);
      const c = await RawClient.connect(f.submissionPort);
      await c.expect((x) => /^220 .*\r\n/.test(x), 'SMTP greeting');
      c.take();
      try {
        await k.run(c, f);
      } finally {
        c.destroy();
      }
      await f.assertHealthy();
    });
  }
}, { backends: ['memory'] });
