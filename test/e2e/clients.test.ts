/**
 * End to end with real clients against the real `letterbox serve` process (SQLite store):
 * the admin CLI creates the domain and users (passwords on standard input); mail is
 * submitted with swaks (587 STARTTLS + AUTH, 465 implicit TLS), sent in on port 25, and sent
 * with nodemailer; it is read back with python3 imaplib (IMAPS), python3 poplib (POP3S),
 * curl (imaps, pop3s) and imapflow (IDLE sees the arrival), always comparing the bytes:
 * what the reader gets ends with exactly what the sender sent (the server only prepends
 * trace fields), and every reader gets the same bytes. Autoconfiguration over HTTP
 * advertises the listeners' real ports. A test whose tool is missing is skipped.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { makeServeHome, addUserViaCli, freePorts, LISTENERS, type ServeHome, type ServeProcess, type ListenerName } from './serve-process.js';
import { has, runTool, python } from './tools.js';

const ALICE = 'alice@example.test';
const ALICE_PW = 'alice e2e password 1';
const BOB = 'bob@example.test';
const BOB_PW = 'bob-e2e-password-2';

const IMAPLIB = `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
M = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx)
M.login(sys.argv[2], sys.argv[3])
M.select('INBOX', readonly=True)
typ, data = M.uid('SEARCH', None, '(HEADER Message-ID "%s")' % sys.argv[4])
uids = data[0].split()
assert len(uids) == 1, uids
typ, data = M.uid('FETCH', uids[0], '(BODY.PEEK[])')
sys.stdout.buffer.write(data[0][1])
M.logout()
`;

const POPLIB = `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
P = poplib.POP3_SSL('127.0.0.1', int(sys.argv[1]), context=ctx)
P.user(sys.argv[2]); P.pass_(sys.argv[3])
found = []
for i in range(1, len(P.list()[1]) + 1):
    resp, lines, octets = P.retr(i)
    raw = b'\\r\\n'.join(lines) + b'\\r\\n'
    if ('Message-ID: <%s>' % sys.argv[4]).encode() in raw:
        found.append(raw)
P.quit()
assert len(found) == 1, len(found)
sys.stdout.buffer.write(found[0])
`;

/** the file swaks sends: LF line ends (swaks sends CRLF) and no final line end (swaks adds one before the dot) */
function swaksFile(path: string, sent: Buffer): void {
  writeFileSync(path, sent.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''));
}

/** a message as the sender sends it (CRLF lines, with Date and Message-ID so nothing is added inside) */
function message(id: string, from: string, to: string, extra = ''): Buffer {
  return Buffer.from(
    `From: <${from}>\r\nTo: <${to}>\r\nSubject: e2e ${id}\r\nDate: Thu, 26 Nov 2026 05:00:00 +0000\r\n` +
      `Message-ID: <${id}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n` +
      `Hello Bob, this is ${id}.\r\nCaf\u00e9 na\u00efve \u2014 8-bit body.\r\n.leading dot line\r\n${extra}Bye.\r\n`,
    'utf8',
  );
}

function assertEndsWith(got: Buffer, want: Buffer, who: string): void {
  assert.ok(
    got.length >= want.length && got.subarray(got.length - want.length).equals(want),
    `${who}: the message ends with the bytes sent\n--- got (tail) ---\n${got.toString('utf8').slice(-400)}\n--- want ---\n${want.toString('utf8')}`,
  );
}

describe('end to end with real clients (letterbox serve)', { timeout: 150_000 }, () => {
  let home: ServeHome;
  let server: ServeProcess;
  let ports: Record<ListenerName, number>;

  before(async () => {
    // fixed ports (autoconfig advertises them), picked free; another process (a parallel test's
    // outgoing connection) may take one before serve binds it: then pick them again
    for (let attempt = 1; ; attempt++) {
      const picked = await freePorts(LISTENERS.length);
      home = makeServeHome('', Object.fromEntries(LISTENERS.map((n, i) => [n, picked[i]])));
      await addUserViaCli(home, ALICE, ALICE_PW);
      const bob = await home.cli(['user', 'add', BOB], `${BOB_PW}\n`);
      assert.equal(bob.code, 0, bob.stderr);
      try {
        server = await home.start();
        break;
      } catch (e) {
        if (attempt >= 3 || !/already in use/.test(String(e))) throw e;
        await home.cleanup();
      }
    }
    ports = server.ports;
  });
  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await home?.cleanup();
  });

  test('the CLI works against the running server: lists, duplicate user refused', async () => {
    const users = await home.cli(['user', 'list']);
    assert.equal(users.code, 0, users.stderr);
    assert.match(users.stdout, /alice@example\.test/);
    assert.match(users.stdout, /bob@example\.test/);
    const dup = await home.cli(['user', 'add', ALICE], 'another password\n');
    assert.notEqual(dup.code, 0, 'adding an existing user fails');
    assert.match(dup.stderr, /alice@example\.test/);
    assert.doesNotMatch(dup.stderr, /\n\s+at /, 'an operator message, not a stack trace');
  });

  test('swaks submission (STARTTLS + AUTH PLAIN) → imaplib over IMAPS, poplib over POP3S, curl imaps and pop3s: same bytes', async (t) => {
    if (!has('swaks')) return t.skip('swaks not installed');
    const id = 'swaks-starttls';
    const sent = message(id, ALICE, BOB);
    const file = join(home.dir, `${id}.eml`);
    swaksFile(file, sent);
    const r = await runTool('swaks', [
      '--server', `127.0.0.1:${ports.submission}`, '--tls',
      '--auth', 'PLAIN', '--auth-user', ALICE, '--auth-password', ALICE_PW,
      '--from', ALICE, '--to', BOB, '--data', `@${file}`, '--hide-all',
    ]);
    assert.equal(r.code, 0, `swaks exit ${r.code}: ${r.stderr}${r.stdout}`);

    const readers: Array<[string, Buffer]> = [];
    if (has('python3')) {
      const i = await python(IMAPLIB, [String(ports.imaps), BOB, BOB_PW, `<${id}@example.test>`]);
      assert.equal(i.code, 0, `imaplib: ${i.stderr}`);
      readers.push(['python3 imaplib (IMAPS)', i.stdout]);
      const p = await python(POPLIB, [String(ports.pop3s), BOB, BOB_PW, `${id}@example.test`]);
      assert.equal(p.code, 0, `poplib: ${p.stderr}`);
      readers.push(['python3 poplib (POP3S)', p.stdout]);
    }
    if (has('curl')) {
      const auth = ['-sk', '--user', `${BOB}:${BOB_PW}`];
      const search = await runTool('curl', [...auth, `imaps://127.0.0.1:${ports.imaps}/INBOX`, '-X', `UID SEARCH HEADER Message-ID "<${id}@example.test>"`]);
      assert.equal(search.code, 0, `curl imaps search: ${search.stderr}`);
      const uid = /\* SEARCH (\d+)/.exec(search.stdout.toString())?.[1];
      assert.ok(uid, `curl found the message: ${search.stdout}`);
      const c = await runTool('curl', [...auth, `imaps://127.0.0.1:${ports.imaps}/INBOX/;UID=${uid}`]);
      assert.equal(c.code, 0, `curl imaps: ${c.stderr}`);
      readers.push(['curl imaps', c.stdout]);
      const list = await runTool('curl', [...auth, `pop3s://127.0.0.1:${ports.pop3s}/`]);
      assert.equal(list.code, 0, `curl pop3s LIST: ${list.stderr}`);
      for (const line of list.stdout.toString().trim().split(/\r?\n/)) {
        const n = line.split(' ')[0];
        const m = await runTool('curl', [...auth, `pop3s://127.0.0.1:${ports.pop3s}/${n}`]);
        assert.equal(m.code, 0, `curl pop3s RETR ${n}: ${m.stderr}`);
        if (m.stdout.includes(`Message-ID: <${id}@example.test>`)) readers.push(['curl pop3s', m.stdout]);
      }
    }
    if (readers.length === 0) return t.skip('neither python3 nor curl installed');
    for (const [who, got] of readers) assertEndsWith(got, sent, who);
    for (const [who, got] of readers.slice(1)) assert.ok(got.equals(readers[0]![1]), `${who} got the same bytes as ${readers[0]![0]}`);
    assert.match(readers[0]![1].toString('latin1'), /^(Return-Path|Received|Delivered-To|DKIM-Signature|Authentication-Results):/m, 'trace fields prepended');
    t.diagnostic(`read by: ${readers.map((r) => r[0]).join(', ')}`);
  });

  test('swaks over 465 (implicit TLS) and inbound on port 25 (no AUTH) → imaplib reads both', async (t) => {
    if (!has('swaks') || !has('python3')) return t.skip('swaks or python3 not installed');
    const viaTls = message('swaks-implicit', ALICE, BOB);
    const inbound = message('swaks-port25', 'someone@remote.test', BOB);
    const f1 = join(home.dir, 'implicit.eml');
    const f2 = join(home.dir, 'inbound.eml');
    swaksFile(f1, viaTls);
    swaksFile(f2, inbound);
    const a = await runTool('swaks', ['--server', `127.0.0.1:${ports.submissions}`, '--tlsc', '--auth', 'LOGIN', '--auth-user', ALICE, '--auth-password', ALICE_PW, '--from', ALICE, '--to', BOB, '--data', `@${f1}`, '--hide-all']);
    assert.equal(a.code, 0, `swaks 465: ${a.stderr}${a.stdout}`);
    const b = await runTool('swaks', ['--server', `127.0.0.1:${ports.smtp}`, '--from', 'someone@remote.test', '--to', BOB, '--data', `@${f2}`, '--hide-all']);
    assert.equal(b.code, 0, `swaks port 25: ${b.stderr}${b.stdout}`);
    // and port 25 does not relay, nor take unknown users
    const relay = await runTool('swaks', ['--server', `127.0.0.1:${ports.smtp}`, '--from', 'someone@remote.test', '--to', 'victim@elsewhere.test', '--hide-all']);
    assert.notEqual(relay.code, 0, 'relay attempt refused');
    const unknown = await runTool('swaks', ['--server', `127.0.0.1:${ports.smtp}`, '--from', 'someone@remote.test', '--to', 'nobody@example.test', '--hide-all']);
    assert.notEqual(unknown.code, 0, 'unknown user refused');

    for (const [id, sent] of [['swaks-implicit', viaTls], ['swaks-port25', inbound]] as const) {
      const i = await python(IMAPLIB, [String(ports.imaps), BOB, BOB_PW, `<${id}@example.test>`]);
      assert.equal(i.code, 0, `imaplib ${id}: ${i.stderr}`);
      assertEndsWith(i.stdout, sent, `imaplib ${id}`);
    }
  });

  test('nodemailer submission → imapflow in IDLE sees it arrive (within 1 s) and reads the same bytes', async (t) => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: ports.imap,
      secure: false,
      auth: { user: BOB, pass: BOB_PW },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const before = (client.mailbox && typeof client.mailbox === 'object' ? client.mailbox.exists : 0) ?? 0;
      let sentAt = 0;
      const arrived = new Promise<{ count: number; at: number }>((resolve) =>
        client.on('exists', (d: { count: number }) => resolve({ count: d.count, at: Date.now() })),
      );
      const idling = client.idle();
      await new Promise((r) => setTimeout(r, 200)); // IDLE is on the wire
      const raw = message('nodemailer', ALICE, BOB);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.submission,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: ALICE, pass: ALICE_PW },
      });
      const info = await transport.sendMail({ envelope: { from: ALICE, to: [BOB] }, raw });
      sentAt = Date.now();
      transport.close();
      assert.match(String(info.response), /^250 /);
      const got = await Promise.race([arrived, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      assert.ok(got, 'the IDLE session was told about the new message');
      const latency = Math.max(0, got.at - sentAt);
      t.diagnostic(`IDLE saw the message ${latency} ms after the 250`);
      assert.ok(latency <= 1000, `IDLE saw it within 1 s (took ${latency} ms)`);
      assert.equal(got.count, before + 1);
      const msg = await client.fetchOne(String(got.count), { source: true, uid: true });
      assert.ok(msg && msg.source);
      assertEndsWith(msg.source, raw, 'imapflow');
      void idling.catch(() => undefined);
    } finally {
      await client.logout().catch(() => client.close());
    }
  });

  test('HTTP under hostile input: garbage, huge headers and bodies, odd addresses; still serving', async () => {
    const base = `http://127.0.0.1:${ports.http}`;
    const statusOf = async (path: string, init?: RequestInit) => (await fetch(base + path, init).catch(() => null))?.status ?? 0;
    // malformed or foreign addresses: 4xx, never 5xx
    for (const q of ['', '?emailaddress=', '?emailaddress=%00%ff', '?emailaddress=a%40b%26c%22%3C%3E.test', `?emailaddress=${'a'.repeat(5000)}@example.test`, '?emailaddress=alice@elsewhere.test']) {
      const st = await statusOf(`/mail/config-v1.1.xml${q}`);
      assert.ok(st === 200 || (st >= 400 && st < 500), `autoconfig ${q.slice(0, 40)}: ${st}`);
    }
    for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/apple/mobileconfig?email=%3Cx%3E@example.test', '/nope']) {
      const st = await statusOf(path);
      assert.ok(st >= 400 && st < 500, `${path}: ${st}`);
    }
    const big = await statusOf('/autodiscover/autodiscover.xml', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'text/xml' } });
    assert.ok(big >= 400 && big < 500, `2 MB Autodiscover body: ${big}`);
    const xml = await statusOf('/autodiscover/autodiscover.xml', { method: 'POST', body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>' });
    assert.ok(xml >= 400 && xml < 500, `XXE attempt: ${xml}`);
    // raw garbage and a header flood on the socket
    const { RawClient } = await import('../robustness/raw.js');
    for (const payload of [Buffer.from('\x00\xff\r\n\r\n'), Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(20000)}\r\n`)]) {
      const c = await RawClient.connect(ports.http);
      c.write(payload);
      await c.until(() => c.closed || /^HTTP\/1\.[01] [45]\d\d/.test(c.text), 5000);
      assert.ok(c.closed || /^HTTP\/1\.[01] [45]\d\d/.test(c.text), `garbage answered with 4xx/5xx or closed: ${c.text.slice(0, 80)}`);
      c.destroy();
    }
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, 'still serving');
  });

  test('autoconfig over HTTP advertises the real host name and ports', async () => {
    for (const path of [`/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(ALICE)}`, '/.well-known/autoconfig/mail/config-v1.1.xml']) {
      const res = await fetch(`http://127.0.0.1:${ports.http}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /xml/);
      const xml = await res.text();
      const servers = [...xml.matchAll(/<(incoming|outgoing)Server type="(\w+)">([\s\S]*?)<\/\1Server>/g)].map((m) => ({
        type: m[2],
        host: /<hostname>(.*)<\/hostname>/.exec(m[3]!)?.[1],
        port: Number(/<port>(\d+)<\/port>/.exec(m[3]!)?.[1]),
        socket: /<socketType>(.*)<\/socketType>/.exec(m[3]!)?.[1],
      }));
      const want = [
        { type: 'imap', port: ports.imaps, socket: 'SSL' },
        { type: 'imap', port: ports.imap, socket: 'STARTTLS' },
        { type: 'pop3', port: ports.pop3s, socket: 'SSL' },
        { type: 'pop3', port: ports.pop3, socket: 'STARTTLS' },
        { type: 'smtp', port: ports.submissions, socket: 'SSL' },
        { type: 'smtp', port: ports.submission, socket: 'STARTTLS' },
      ];
      for (const w of want) {
        assert.ok(
          servers.some((s) => s.type === w.type && s.port === w.port && s.socket === w.socket && s.host === 'mail.example.test'),
          `${path}: ${w.type} ${w.socket} on ${w.port} advertised; got ${JSON.stringify(servers)}`,
        );
      }
      assert.ok(!servers.some((s) => s.port === ports.smtp), 'port 25 is not offered to clients');
    }
  });
});
