/**
 * The web pages over a real socket (no browser): CSRF on every form, one account can never
 * reach another's retained mail, app passwords or devices, the admin console refuses
 * non-admins, app passwords obey their protocol limits, sign-in shares the failed-login
 * throttle with IMAP, and /metrics shows the counters of a protocol session moving.
 * Each check is written so that it fails when the guard it covers is taken out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ImapClient } from '../imap/harness.js';
import { startWebServer, WebClient, type WebServer } from '../../helpers/web.js';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { listAppPasswords } from '../../../src/auth/app-passwords.js';
import { listDevices } from '../../../src/auth/devices.js';
import { isAdmin } from '../../../src/auth/roles.js';
import type { Account } from '../../../src/store/types.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const ADMIN = 'admin@example.test';
const PW = 'correct horse battery';

function rawMessage(subject: string): Buffer {
  return Buffer.from(`From: x@example.org\r\nTo: ${BOB}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\nbody\r\n`);
}

/** delivers a message to the account and deletes it as a POP3 client would under "retain" */
async function retainOne(w: WebServer, account: Account, subject: string): Promise<string> {
  const { store } = w.server.ctx;
  const [r] = await store.deliver([{ accountId: account.id }], rawMessage(subject));
  assert.ok(r && 'uid' in r);
  await store.pop3Delete(account.id, [r.uid], 'retain', 30);
  const retained = await store.listRetained(account.id);
  return retained.find((x) => x.subject === subject)!.guid;
}

/** the final line of each SMTP reply, in order */
function smtpDialog(s: net.Socket): { next(): Promise<string> } {
  const replies: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (/^\d{3} /.test(line)) {
        const w = waiting.shift();
        if (w) w(line);
        else replies.push(line);
      }
    }
  });
  return { next: () => (replies.length ? Promise.resolve(replies.shift()!) : new Promise((r) => waiting.push(r))) };
}

async function imapLogin(port: number, user: string, password: string): Promise<{ c: ImapClient; tagged: string }> {
  const c = await ImapClient.connect(port, false);
  await c.readLine();
  const { tagged } = await c.command(`a1 LOGIN "${user}" "${password}"`);
  return { c, tagged };
}

describe('web pages', () => {
  let w: WebServer;
  let alice: Account;
  let bob: Account;
  before(async () => {
    w = await startWebServer({ smtp: { verify_inbound: false } });
    alice = await w.addUser(ALICE, PW);
    bob = await w.addUser(BOB, PW);
    await w.addUser(ADMIN, PW, { admin: true });
  });
  after(() => w.stop());

  test('every form POST needs the page CSRF token: without it, or with a wrong one, 403 and nothing changes', async () => {
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, PW)).status, 303);
    await c.get('/account/app-passwords');
    for (const csrf of [null, '', 'x'.repeat(32), c.csrf.slice(1) + 'A']) {
      const r = await c.post('/account/app-passwords', { name: 'forged', protocol: 'imap' }, { csrf });
      assert.equal(r.status, 403, `token ${JSON.stringify(csrf)}`);
    }
    assert.deepEqual(await listAppPasswords(w.server.ctx.store, alice.id), []);
    // a page from another site (its Origin) is refused even with a valid token
    const cross = await c.post('/account/app-passwords', { name: 'cross', protocol: 'imap' }, { origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.deepEqual(await listAppPasswords(w.server.ctx.store, alice.id), []);
    // the same form with the token works
    const ok = await c.post('/account/app-passwords', { name: 'real', protocol: 'imap' });
    assert.equal(ok.status, 200);
    assert.deepEqual((await listAppPasswords(w.server.ctx.store, alice.id)).map((p) => p.name), ['real']);
  });

  test('sign-in itself needs the form token (login CSRF), and sign-out too', async () => {
    const c = new WebClient(w.url());
    await c.get('/login');
    const r = await c.post('/login', { address: ALICE, password: PW }, { csrf: null });
    assert.equal(r.status, 403);
    assert.equal((await c.get('/account')).status, 303, 'not signed in');
    assert.equal((await c.signIn(ALICE, PW)).status, 303);
    assert.equal((await c.post('/logout', {}, { csrf: null })).status, 403);
    assert.equal((await c.get('/account')).status, 200, 'still signed in');
    assert.equal((await c.post('/logout', {})).status, 303);
    assert.equal((await c.get('/account')).status, 303, 'signed out');
  });

  test("a user cannot list, restore, revoke or sign out another account's things by changing an id", async () => {
    const { store, auth } = w.server.ctx;
    const guid = await retainOne(w, bob, 'Bob private subject');
    const imap = await imapLogin(w.port('imap'), BOB, PW);
    assert.match(imap.tagged, /^a1 OK/);
    const [bobDevice] = await listDevices(store, bob.id);
    assert.ok(bobDevice, 'bob has a device entry');
    const c = new WebClient(w.url());
    await c.signIn(BOB, PW);
    await c.get('/account/app-passwords');
    await c.post('/account/app-passwords', { name: 'bob phone', protocol: ['imap', 'pop3'] });
    const [bobApp] = await listAppPasswords(store, bob.id);
    assert.ok(bobApp);

    const a = new WebClient(w.url());
    await a.signIn(ALICE, PW);
    const list = await a.get('/account/deleted');
    assert.doesNotMatch(list.body, /Bob private subject/);
    assert.doesNotMatch((await a.get('/account/devices')).body, new RegExp(bobDevice.key));
    const restore = await a.post('/account/deleted/restore', { id: guid, which: 'selected' });
    assert.equal(restore.status, 400);
    assert.deepEqual((await store.listRetained(bob.id)).map((r) => r.guid), [guid], "bob's message is still retained");
    const revoke = await a.post('/account/app-passwords/revoke', { id: bobApp.id });
    assert.equal(revoke.status, 400);
    assert.equal((await listAppPasswords(store, bob.id)).length, 1, "bob's app password is still there");
    const signOut = await a.post('/account/devices/sign-out', { device: bobDevice.key });
    assert.equal(signOut.status, 400);
    assert.ok((await listDevices(store, bob.id)).some((d) => d.key === bobDevice.key), "bob's device is still listed");
    assert.equal(await imap.c.silent(300), true, "bob's IMAP session stays open");
    // and bob's own restore works
    const own = await c.post('/account/deleted/restore', { id: guid, which: 'selected' });
    assert.equal(own.status, 200);
    assert.deepEqual(await store.listRetained(bob.id), []);
    imap.c.destroy();
    void auth;
  });

  test('the admin console: 403 for a signed-in non-admin (pages and forms), sign-in first for strangers', async () => {
    const anon = new WebClient(w.url());
    const r = await anon.get('/admin/domains');
    assert.equal(r.status, 303);
    assert.match(r.location ?? '', /^\/login\?next=/);
    const c = new WebClient(w.url());
    await c.signIn(ALICE, PW);
    for (const path of ['/admin', '/admin/domains', '/admin/users', '/admin/queue', '/admin/backups', '/admin/dmarc']) assert.equal((await c.get(path)).status, 403, path);
    const add = await c.post('/admin/domains', { domain: 'sneaky.example', dkim: '' });
    assert.equal(add.status, 403);
    assert.equal(await w.server.ctx.store.getDomain('sneaky.example'), null);
    const grant = await c.post(`/admin/users/${alice.id}/role`, { admin: '1' });
    assert.equal(grant.status, 403);
    assert.equal(await isAdmin(w.server.ctx.store, alice.id), false);
    const admin = new WebClient(w.url());
    await admin.signIn(ADMIN, PW);
    assert.equal((await admin.get('/admin')).status, 200);
  });

  test('every value is escaped: markup in a subject or an app password name stays text', async () => {
    await retainOne(w, alice, '<script>alert(1)</script>');
    const c = new WebClient(w.url());
    await c.signIn(ALICE, PW);
    const page = await c.get('/account/deleted');
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page.body, /<script>alert/);
  });

  test('an app password limited to IMAP logs in over IMAP and is refused over POP3 and SMTP', async () => {
    const c = new WebClient(w.url());
    await c.signIn(ALICE, PW);
    await c.get('/account/app-passwords');
    const made = await c.post('/account/app-passwords', { name: 'tablet', protocol: 'imap' });
    const pw = /<output[^>]*>([a-z ]+)<\/output>/.exec(made.body)?.[1];
    assert.ok(pw, 'the new password is shown once');
    const { auth } = w.server.ctx;
    assert.equal((await auth.login(ALICE, pw, '127.0.0.9', { protocol: 'imap' })).ok, true);
    assert.equal((await auth.login(ALICE, pw.replace(/ /g, ''), '127.0.0.9', { protocol: 'imap' })).ok, true);
    assert.deepEqual(await auth.login(ALICE, pw, '127.0.0.9', { protocol: 'pop3' }), { ok: false, reason: 'invalid' });
    assert.deepEqual(await auth.login(ALICE, pw, '127.0.0.9', { protocol: 'smtp' }), { ok: false, reason: 'invalid' });
    const imap = await imapLogin(w.port('imap'), ALICE, pw);
    assert.match(imap.tagged, /^a1 OK/);
    imap.c.destroy();
  });

  test('failed logins over IMAP throttle the web sign-in of the same account (one shared throttle)', async () => {
    const ws = await startWebServer({ limits: { failed_logins_per_account: 3 } });
    try {
      await ws.addUser('carol@example.test', PW);
      for (let i = 0; i < 3; i++) {
        const { c, tagged } = await imapLogin(ws.port('imap'), 'carol@example.test', 'wrong password');
        assert.match(tagged, /^a1 NO/);
        c.destroy();
      }
      const c = new WebClient(ws.url());
      const r = await c.signIn('carol@example.test', PW);
      assert.equal(r.status, 429);
      assert.match(r.body, /Too many failed sign-ins/);
    } finally {
      await ws.stop();
    }
  });

  test('/metrics during an IMAP session: connections, logins and commands move; other addresses get 403', async () => {
    const scrape = async () => (await fetch(w.url('/metrics'))).text();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (m) => `\\${m}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    const { c, tagged } = await imapLogin(w.port('imap'), ALICE, PW);
    assert.match(tagged, /^a1 OK/);
    await c.command('a2 SELECT INBOX');
    await c.command('a3 NOOP');
    const during = await scrape();
    assert.equal(value(during, 'letterbox_connections_total{protocol="imap"}'), value(before, 'letterbox_connections_total{protocol="imap"}') + 1);
    assert.ok(value(during, 'letterbox_connections_open{protocol="imap"}') >= 1);
    assert.equal(value(during, 'letterbox_logins_total{protocol="imap",outcome="ok"}'), value(before, 'letterbox_logins_total{protocol="imap",outcome="ok"}') + 1);
    assert.equal(
      value(during, 'letterbox_command_duration_seconds_count{protocol="imap",command="SELECT",status="ok"}'),
      value(before, 'letterbox_command_duration_seconds_count{protocol="imap",command="SELECT",status="ok"}') + 1,
    );
    assert.match(during, /^nodejs_eventloop_lag_seconds /m);
    assert.match(during, /^letterbox_queue_depth 0$/m);
    c.destroy();

    // a message over port 25: received and delivered, SMTP commands by reply class
    const smtp = net.connect(w.port('smtp'), '127.0.0.1');
    const lines = smtpDialog(smtp);
    for (const [send, expect] of [
      [null, /^220 /],
      ['EHLO client.example.org', /^250 /],
      ['MAIL FROM:<x@example.org>', /^250 /],
      [`RCPT TO:<${ALICE}>`, /^250 /],
      ['DATA', /^354 /],
      ['Subject: counted\r\n\r\nhello\r\n.', /^250 /],
      ['QUIT', /^221 /],
    ] as Array<[string | null, RegExp]>) {
      if (send !== null) smtp.write(`${send}\r\n`);
      assert.match(await lines.next(), expect, `after ${send}`);
    }
    smtp.destroy();
    const after = await scrape();
    for (const event of ['received', 'delivered'])
      assert.equal(value(after, `letterbox_messages_total{event="${event}"}`), value(during, `letterbox_messages_total{event="${event}"}`) + 1, event);
    assert.equal(
      value(after, 'letterbox_command_duration_seconds_count{protocol="smtp",command="RCPT",status="2xx"}'),
      value(during, 'letterbox_command_duration_seconds_count{protocol="smtp",command="RCPT",status="2xx"}') + 1,
    );

    const ws = await startWebServer({ metrics: { allowed_from: ['192.0.2.0/24'] } });
    try {
      assert.equal((await fetch(ws.url('/metrics'))).status, 403);
    } finally {
      await ws.stop();
    }
  });
});

describe('admin console with the SQLite store and real DNS answers', () => {
  let w: WebServer;
  let dns: TestDns;
  before(async () => {
    dns = await startTestDns({
      records: {
        'example.test': [
          { type: 'MX', data: { preference: 10, exchange: 'mail.example.test' } },
          { type: 'TXT', data: 'v=spf1 mx -all' },
        ],
        '_dmarc.example.test': [{ type: 'TXT', data: 'v=DMARC1; p=none' }],
      },
    });
    w = await startWebServer({ dns: { servers: [dns.server], timeout_ms: 2000 } }, { backend: 'sqlite' });
    await w.addUser(ADMIN, PW, { admin: true });
  });
  after(async () => {
    await w.stop();
    await dns.close();
  });

  test('the DNS page shows what is published and what is missing', async () => {
    const c = new WebClient(w.url());
    await c.signIn(ADMIN, PW);
    const page = await c.get('/admin/domains/example.test');
    assert.equal(page.status, 200);
    const rows = [...page.body.matchAll(/<tr>\s*<td data-label="Name"><code>([^<]+)<\/code><\/td>\s*<td data-label="Type">(\w+)<\/td>[\s\S]*?<td data-label="DNS now">([\s\S]*?)<\/td>/g)].map(
      (m) => `${m[1]} ${m[2]} ${/published/.test(m[3]!) && !/nothing/.test(m[3]!) ? 'ok' : 'missing'}`,
    );
    assert.ok(rows.includes('example.test. MX ok'), rows.join('\n'));
    assert.ok(rows.includes('example.test. TXT ok'), rows.join('\n'));
    assert.ok(rows.includes('_dmarc.example.test. TXT ok'), rows.join('\n'));
    assert.ok(rows.includes('_imaps._tcp.example.test. SRV missing'), rows.join('\n'));
    assert.ok(dns.queries.includes('example.test MX'));
  });

  test('a backup made from the console is listed and downloads as the SQLite file', async () => {
    const c = new WebClient(w.url());
    await c.signIn(ADMIN, PW);
    await c.get('/admin/backups');
    const made = await c.post('/admin/backups', {});
    assert.equal(made.status, 200, made.body);
    const name = /Backup (letterbox-\d{8}-\d{6}\.db) made/.exec(made.body)?.[1];
    assert.ok(name, made.body);
    assert.match((await c.get('/admin/backups')).body, new RegExp(name));
    const res = await fetch(w.url(`/admin/backups/${name}`), { headers: { cookie: c.cookieHeader() } });
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 15).toString('latin1'), 'SQLite format 3');
    assert.equal((await c.get('/admin/backups/..%2Fletterbox.db')).status, 404);
  });
});
