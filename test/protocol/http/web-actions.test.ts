/**
 * The forms of the web pages that the browser tests only open (issue 12's "Deliver" list),
 * over a real socket: changing the password ends the account's other sessions (browser and
 * IMAP); the overview shows the quota and the aliases that deliver to the account; the setup
 * page on autoconfig.<domain> fills in the domain; and the admin console's actions do what
 * they say in the store — password reset, quota, POP3 policy and removal of a user, aliases
 * added and removed, a domain removed (refused while it has users), a queued message retried
 * and removed — and the status page names the listeners, the open connections per protocol,
 * the store and the version.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { ImapClient } from '../imap/harness.js';
import { startWebServer, WebClient, type WebServer } from '../../helpers/web.js';
import { SmtpClient } from '../smtp/harness.js';
import { SieveClient } from '../managesieve/client.js';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../../../src/auth/app-passwords.js';
import { version } from '../../../src/version.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const ADMIN = 'admin@example.test';
const PW = 'correct horse battery';

async function imapLogin(port: number, user: string, password: string): Promise<{ c: ImapClient; tagged: string }> {
  const c = await ImapClient.connect(port, false);
  await c.readLine();
  const { tagged } = await c.command(`a1 LOGIN "${user}" "${password}"`);
  return { c, tagged };
}

/** true once the server has closed the connection (bounded wait; not a timing assertion) */
async function closedBy(c: ImapClient, ms = 5000): Promise<boolean> {
  for (let waited = 0; !c.closed && waited < ms; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return c.closed;
}

async function loginWorks(w: WebServer, user: string, password: string): Promise<boolean> {
  const { c, tagged } = await imapLogin(w.port('imap'), user, password);
  c.destroy();
  return /^a1 OK/.test(tagged);
}

describe('account pages: password, overview, setup on autoconfig.<domain>', () => {
  let w: WebServer;
  before(async () => {
    w = await startWebServer();
    await w.addUser(ALICE, PW);
  });
  after(() => w.stop());

  test('a password change needs the current password, then ends the other browser and IMAP sessions', async () => {
    const here = new WebClient(w.url());
    const there = new WebClient(w.url());
    await here.signIn(ALICE, PW);
    await there.signIn(ALICE, PW);
    const imap = await imapLogin(w.port('imap'), ALICE, PW);
    assert.match(imap.tagged, /^a1 OK/);
    const sieve = await SieveClient.connect(w.port('managesieve'));
    await sieve.response();
    assert.match(await sieve.login(ALICE, PW), /^OK/);
    await here.get('/account/password');

    const wrong = await here.post('/account/password', { current: 'not the password', new: 'a brand new password', confirm: 'a brand new password' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /current password is wrong/);
    const differ = await here.post('/account/password', { current: PW, new: 'a brand new password', confirm: 'another new password' });
    assert.equal(differ.status, 400);
    const short = await here.post('/account/password', { current: PW, new: 'short', confirm: 'short' });
    assert.equal(short.status, 400);
    assert.equal(await loginWorks(w, ALICE, PW), true, 'refused changes change nothing');
    assert.equal((await there.get('/account')).status, 200);

    const { store, auth } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    const app = await createAppPassword(store, alice.id, { name: 'tablet', protocols: ['imap'] }, (pw) => auth.hashPassword(pw));
    const appImap = await imapLogin(w.port('imap'), ALICE, app.password);
    assert.match(appImap.tagged, /^a1 OK/);
    const ok = await here.post('/account/password', { current: PW, new: 'a brand new password', confirm: 'a brand new password' });
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /Password changed\. 4 other sessions ended\./, 'the other browser, both IMAP sessions and the ManageSieve one');
    assert.equal(await closedBy(imap.c), true, 'the IMAP session that used the old password is closed');
    assert.match(await sieve.response(), /^BYE "Session ended: password changed"/, 'so is the ManageSieve session');
    sieve.close();
    assert.equal(await closedBy(appImap.c), true, 'the app-password session is disconnected too (as the page says)');
    assert.equal(await loginWorks(w, ALICE, app.password), true, '... and its app password still works');
    await revokeAppPassword(store, alice.id, app.id);
    assert.equal((await there.get('/account')).status, 303, 'the other browser is signed out');
    assert.equal((await here.get('/account')).status, 200, 'this browser stays signed in');
    assert.equal(await loginWorks(w, ALICE, PW), false, 'the old password no longer works');
    assert.equal(await loginWorks(w, ALICE, 'a brand new password'), true);
  });

  test('the sign-in and form cookies are HttpOnly, Secure and SameSite=Strict; pages forbid framing and scripts', async () => {
    const first = await fetch(w.url('/login'), { redirect: 'manual' });
    const pre = first.headers.getSetCookie();
    assert.equal(pre.length, 1, 'the form token cookie before sign-in');
    const html = await first.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(csrf);
    assert.match(first.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal(first.headers.get('x-frame-options'), 'DENY');
    const signIn = await fetch(w.url('/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre[0]!.split(';')[0]! },
      body: new URLSearchParams({ _csrf: csrf, address: ALICE, password: 'a brand new password', next: '/account' }).toString(),
    });
    assert.equal(signIn.status, 303);
    const session = signIn.headers.getSetCookie();
    assert.equal(session.length, 1, 'the session cookie');
    for (const c of [...pre, ...session]) {
      const attrs = c.split(';').slice(1).map((a) => a.trim().toLowerCase());
      for (const want of ['httponly', 'secure', 'samesite=strict', 'path=/']) assert.ok(attrs.includes(want), `${c.split('=')[0]}: ${want}`);
    }
  });

  test('sign-in takes an app password allowed for the web, not one limited to mail; it cannot change the account password', async () => {
    const { store, auth } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    const web = await createAppPassword(store, alice.id, { name: 'kiosk', protocols: ['web'] }, (pw) => auth.hashPassword(pw));
    const mail = await createAppPassword(store, alice.id, { name: 'phone', protocols: ['imap', 'smtp'] }, (pw) => auth.hashPassword(pw));
    assert.equal((await new WebClient(w.url()).signIn(ALICE, mail.password)).status, 400, 'an app password without "web"');
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, web.password)).status, 303);
    assert.equal((await c.get('/account')).status, 200);
    await c.get('/account/password');
    const r = await c.post('/account/password', { current: web.password, new: 'stolen new password', confirm: 'stolen new password' });
    assert.equal(r.status, 400, 'only the account password itself may change it');
    assert.equal(await loginWorks(w, ALICE, 'a brand new password'), true, 'the password is unchanged');
    for (const p of [web, mail]) await revokeAppPassword(store, alice.id, p.id);
  });

  test('a submission client is listed by its EHLO name; signing that device out revokes its app password', async () => {
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, 'a brand new password')).status, 303);
    await c.get('/account/app-passwords');
    const made = await c.post('/account/app-passwords', { name: 'laptop mail', protocol: ['imap', 'smtp'] });
    const pw = /<output[^>]*>([a-z ]+)<\/output>/.exec(made.body)?.[1];
    assert.ok(pw, 'the new password is shown once');
    const smtpLogin = async () => {
      const { client } = await SmtpClient.connect(w.port('submission'));
      try {
        await client.cmd('EHLO laptop.example.net');
        return await client.cmd(`AUTH PLAIN ${Buffer.from(`\0${ALICE}\0${pw}`).toString('base64')}`);
      } finally {
        client.close();
      }
    };
    assert.match(await smtpLogin(), /^235 /);
    const devices = await c.get('/account/devices');
    const row = /<tr>\s*<td data-label="Program">laptop\.example\.net<\/td>[\s\S]*?<\/tr>/.exec(devices.body)?.[0];
    assert.ok(row, 'the device is listed by the name it gave in EHLO');
    assert.match(row, /<td data-label="Protocol">SMTP<\/td>/);
    assert.match(row, /<td data-label="Address"><code>127\.0\.0\.1<\/code><\/td>/);
    assert.match(row, /app password “laptop mail”/);
    assert.match(row, /<td data-label="First seen">[^<]*\d[^<]*<\/td>/);
    const key = /name="device" value="([0-9a-f]+)"/.exec(row)?.[1];
    assert.ok(key);
    const out = await c.post('/account/devices/sign-out', { device: key });
    assert.equal(out.status, 200, out.body);
    const { store } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    assert.deepEqual((await listAppPasswords(store, alice.id)).map((p) => p.name), [], 'its app password is revoked');
    assert.match(await smtpLogin(), /^535 /, 'and no longer works');
  });

  test('an app password for ManageSieve only: a ManageSieve login is listed as a device; signing it out closes the connection', async () => {
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, 'a brand new password')).status, 303);
    const form = await c.get('/account/app-passwords');
    assert.match(form.body, /<input type="checkbox" name="protocol" value="managesieve"> ManageSieve \(edit mail filters\)/, 'offered, not ticked by default');
    const made = await c.post('/account/app-passwords', { name: 'filter editor', protocol: 'managesieve' });
    const pw = /<output[^>]*>([a-z ]+)<\/output>/.exec(made.body)?.[1];
    assert.ok(pw, 'the new password is shown once');
    assert.match(made.body, /<td data-label="Allowed">ManageSieve<\/td>/);
    assert.match((await imapLogin(w.port('imap'), ALICE, pw)).tagged, /^a1 NO/, 'not for IMAP');
    const sieve = await SieveClient.connect(w.port('managesieve'));
    try {
      await sieve.response();
      assert.match(await sieve.login(ALICE, pw), /^OK/);
      const devices = await c.get('/account/devices');
      const row = /<tr>\s*<td data-label="Program">[\s\S]*?<td data-label="Protocol">ManageSieve<\/td>[\s\S]*?<\/tr>/.exec(devices.body)?.[0];
      assert.ok(row, 'the ManageSieve login is listed');
      assert.match(row, /app password “filter editor”/);
      assert.match(row, /<strong>connected now<\/strong> \(1\)/);
      const key = /name="device" value="([0-9a-f]+)"/.exec(row)?.[1];
      assert.ok(key);
      const out = await c.post('/account/devices/sign-out', { device: key });
      assert.equal(out.status, 200, out.body);
      assert.match(out.body, /Signed out ManageSieve at 127\.0\.0\.1: 1 open connection ended, its app password revoked\./);
      assert.match(await sieve.response(), /^BYE "Session ended: signed out on the web"/, 'the ManageSieve connection is closed');
    } finally {
      sieve.close();
    }
    const again = await SieveClient.connect(w.port('managesieve'));
    try {
      await again.response();
      assert.match(await again.login(ALICE, pw), /^NO /, 'its app password no longer works');
    } finally {
      again.close();
    }
  });

  test('POP3-deleted mail: the purge date is shown; several are restored at once, then all', async () => {
    const { store } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    const subjects = ['Kept one', 'Kept two', 'Kept three', 'Kept four'];
    for (const subject of subjects) {
      const [r] = await store.deliver([{ accountId: alice.id }], Buffer.from(`From: x@example.org\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\nbody\r\n`));
      assert.ok(r && 'uid' in r);
      await store.pop3Delete(alice.id, [r.uid], 'retain', 30);
    }
    const retained = await store.listRetained(alice.id);
    const guid = (subject: string) => retained.find((r) => r.subject === subject)!.guid;
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, 'a brand new password')).status, 303);
    const page = await c.get('/account/deleted');
    const purge = retained.find((r) => r.subject === 'Kept one')!.purgeAfter;
    assert.ok(purge.getTime() > Date.now() + 29 * 86400_000, 'kept for the retention period');
    const when = purge.toISOString().slice(0, 16).replace('T', ' ');
    assert.ok(page.body.includes(`<td data-label="Removed after">${when} UTC</td>`), `the purge time ${when} is shown`);

    const several = await c.post('/account/deleted/restore', { id: [guid('Kept one'), guid('Kept two')], which: 'selected' });
    assert.equal(several.status, 200);
    assert.match(several.body, /Restored 2 messages/);
    assert.deepEqual((await store.listRetained(alice.id)).map((r) => r.subject).sort(), ['Kept four', 'Kept three']);
    const all = await c.post('/account/deleted/restore', { which: 'all' });
    assert.equal(all.status, 200);
    assert.match(all.body, /Restored 2 messages/);
    assert.deepEqual(await store.listRetained(alice.id), []);
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const subjectsInInbox = await Promise.all((await store.getMessages(alice.id, inbox.id, [[1, Infinity]])).map(async (m) => /Subject: (.*)\r\n/.exec((await store.getRaw(alice.id, inbox.id, m.uid)).toString())?.[1]));
    for (const subject of subjects) assert.ok(subjectsInInbox.includes(subject), `${subject} is back in INBOX`);
  });

  test('the overview shows the quota in use and the aliases that deliver to the account', async () => {
    const { store } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    await store.updateAccount(alice.id, { quotaBytes: 1024 ** 3 });
    await store.addAlias('sales@example.test', [ALICE, 'someone@elsewhere.test']);
    await store.addAlias('other@example.test', ['someone@elsewhere.test']);
    const c = new WebClient(w.url());
    assert.equal((await c.signIn(ALICE, 'a brand new password')).status, 303);
    const page = await c.get('/account');
    assert.equal(page.status, 200);
    assert.match(page.body, /<meter id="quota" min="0" max="1073741824"/);
    assert.match(page.body, / of 1(\.0)? GiB used/);
    assert.match(page.body, /<code>sales@example\.test<\/code> <span class="muted">\(also to someone@elsewhere\.test\)/);
    assert.doesNotMatch(page.body, /other@example\.test/, 'an alias that does not reach this account is not listed');
  });

  test('the setup page on autoconfig.<domain> fills in the domain; with an address it lists the settings', async () => {
    const port = w.port('http');
    // node:http, not fetch: fetch does not let a request name its own Host
    const raw = (path: string, host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
      });
    const ask = await raw('/', 'autoconfig.example.test');
    assert.equal(ask.status, 200);
    assert.match(ask.body, /<input type="email" id="email" name="email" value="@example\.test"/);
    const plain = await raw('/', 'mail.example.test');
    assert.match(plain.body, /<input type="email" id="email" name="email" value=""/);
    const settings = await raw(`/?email=${encodeURIComponent(ALICE)}`, 'autoconfig.example.test');
    assert.equal(settings.status, 200);
    assert.match(settings.body, new RegExp(`Incoming \\(IMAP\\)</th>\\s*<td data-label="Server"><code>mail\\.example\\.test</code></td>\\s*<td data-label="Port">${w.port('imaps')}</td>`));
    assert.match(settings.body, /IMAP or POP3\?/);
    assert.match(settings.body, /href="\/apple\/mobileconfig\?email=alice%40example\.test"/);
    assert.match(settings.body, /<div class="qr" role="img"[^>]*><svg/);
    assert.equal((await raw('/?email=x%40nowhere.test', 'autoconfig.example.test')).status, 404);
  });
});

test('sign-in over plain http is refused where plaintext is not allowed (403), and nobody is signed in', async () => {
  const w = await startWebServer({ auth: { plaintext_allowed_from: [] } });
  try {
    await w.addUser(ALICE, PW);
    const c = new WebClient(w.url());
    const r = await c.signIn(ALICE, PW);
    assert.equal(r.status, 403);
    assert.match(r.body, /needs an encrypted connection/);
    assert.equal((await c.get('/account')).status, 303);
  } finally {
    await w.stop();
  }
});

test('failed and throttled logins are counted per protocol in /metrics', async () => {
  const w = await startWebServer({ limits: { failed_logins_per_account: 2 } });
  try {
    await w.addUser(ALICE, PW);
    const scrape = async () => (await fetch(w.url('/metrics'))).text();
    const value = (text: string, outcome: string) => Number(new RegExp(`^letterbox_logins_total\\{protocol="imap",outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    for (let i = 0; i < 3; i++) {
      const { c, tagged } = await imapLogin(w.port('imap'), ALICE, 'wrong password');
      assert.match(tagged, /^a1 NO/);
      c.destroy();
    }
    const text = await scrape();
    assert.equal(value(text, 'failed'), 2);
    assert.equal(value(text, 'throttled'), 1, 'the third attempt is refused by the throttle, not checked');
    assert.equal(value(text, 'ok'), 0);
  } finally {
    await w.stop();
  }
});

describe('admin console actions', () => {
  let w: WebServer;
  let admin: WebClient;
  before(async () => {
    w = await startWebServer();
    await w.addUser(ADMIN, PW, { admin: true });
    await w.addUser(BOB, PW);
    admin = new WebClient(w.url());
    assert.equal((await admin.signIn(ADMIN, PW)).status, 303);
  });
  after(() => w.stop());

  test('a user: password reset (ends their sessions), quota, POP3 policy, removal with confirmation', async () => {
    const { store } = w.server.ctx;
    const bob = (await store.getAccount(BOB))!;
    const imap = await imapLogin(w.port('imap'), BOB, PW);
    assert.match(imap.tagged, /^a1 OK/);
    assert.equal((await admin.get(`/admin/users/${bob.id}`)).status, 200);

    assert.equal((await admin.post(`/admin/users/${bob.id}/password`, { password: 'short' })).status, 400);
    const reset = await admin.post(`/admin/users/${bob.id}/password`, { password: 'bob new password' });
    assert.equal(reset.status, 200, reset.body);
    assert.match(reset.body, /Password set; 1 session ended/);
    assert.equal(await closedBy(imap.c), true, "bob's IMAP session ends");
    assert.equal(await loginWorks(w, BOB, PW), false);
    assert.equal(await loginWorks(w, BOB, 'bob new password'), true);

    assert.equal((await admin.post(`/admin/users/${bob.id}/quota`, { quota: '2G' })).status, 200);
    assert.equal((await store.getAccountById(bob.id))?.quotaBytes, 2 * 1024 ** 3);

    assert.equal((await admin.post(`/admin/users/${bob.id}/pop3-policy`, { policy: 'trash' })).status, 200);
    assert.equal((await store.getAccountById(bob.id))?.pop3Policy, 'trash');
    assert.equal((await admin.post(`/admin/users/${bob.id}/pop3-policy`, { policy: 'shred' })).status, 400);
    assert.equal((await store.getAccountById(bob.id))?.pop3Policy, 'trash');
    assert.equal((await admin.post(`/admin/users/${bob.id}/pop3-policy`, { policy: 'default' })).status, 200);
    assert.equal((await store.getAccountById(bob.id))?.pop3Policy, null);

    assert.equal((await admin.post(`/admin/users/${bob.id}/remove`, {})).status, 400, 'removal needs the confirmation box');
    assert.ok(await store.getAccountById(bob.id));
    const me = (await store.getAccount(ADMIN))!;
    assert.equal((await admin.post(`/admin/users/${me.id}/remove`, { confirm: 'yes' })).status, 400, 'not the signed-in admin');
    const removed = await admin.post(`/admin/users/${bob.id}/remove`, { confirm: 'yes' });
    assert.equal(removed.status, 200);
    assert.match(removed.body, /Removed bob@example\.test/);
    assert.equal(await store.getAccount(BOB), null);
    assert.equal((await admin.get(`/admin/users/${bob.id}`)).status, 404);
  });

  test('aliases are added and removed; a domain with users cannot be removed, an empty one can', async () => {
    const { store } = w.server.ctx;
    await admin.get('/admin/aliases');
    const added = await admin.post('/admin/aliases', { source: 'info@example.test', destinations: `${ADMIN}, outside@elsewhere.test` });
    assert.equal(added.status, 200, added.body);
    assert.deepEqual((await store.listAliases('example.test')).find((a) => a.source === 'info@example.test')?.destinations.sort(), [ADMIN, 'outside@elsewhere.test']);
    assert.equal((await admin.post('/admin/aliases', { source: 'x@nowhere.test', destinations: ADMIN })).status, 400, 'not a domain here');
    assert.equal((await admin.post('/admin/aliases', { source: ADMIN, destinations: 'outside@elsewhere.test' })).status, 400, 'a user address');
    assert.equal((await admin.post('/admin/aliases/remove', { source: 'info@example.test' })).status, 200);
    assert.equal((await store.listAliases('example.test')).some((a) => a.source === 'info@example.test'), false);

    await admin.get('/admin/domains');
    assert.equal((await admin.post('/admin/domains/remove', { domain: 'example.test' })).status, 409);
    assert.ok(await store.getDomain('example.test'), 'a domain with users stays');
    assert.equal((await admin.post('/admin/domains', { domain: 'spare.test', dkim: '' })).status, 200);
    assert.ok(await store.getDomain('spare.test'));
    assert.equal((await admin.post('/admin/domains/remove', { domain: 'spare.test' })).status, 200);
    assert.equal(await store.getDomain('spare.test'), null);
  });

  test('the queue: a message is retried now, another removed; unknown ids are 400', async () => {
    const { store } = w.server.ctx;
    const later = new Date(Date.now() + 3600_000);
    const one = await store.enqueue({ from: ADMIN, recipients: ['a@unreachable.example'], raw: Buffer.from('Subject: one\r\n\r\nx\r\n'), accountId: null });
    const two = await store.enqueue({ from: ADMIN, recipients: ['b@unreachable.example'], raw: Buffer.from('Subject: two\r\n\r\nx\r\n'), accountId: null });
    for (const q of [one, two]) await store.updateQueueItem(q.id, { attempts: 2, lastError: 'no mail server could be reached', nextAttemptAt: later });
    const listed = await admin.get('/admin/queue');
    assert.match(listed.body, new RegExp(one.id));
    assert.match(listed.body, /no mail server could be reached/);

    const retry = await admin.post('/admin/queue/retry', { id: one.id });
    assert.equal(retry.status, 200);
    assert.ok((await store.getQueueItem(one.id))!.nextAttemptAt.getTime() <= Date.now(), 'due now');
    assert.equal((await store.getQueueItem(two.id))!.nextAttemptAt.getTime(), later.getTime(), 'the other one untouched');

    const remove = await admin.post('/admin/queue/remove', { id: two.id });
    assert.equal(remove.status, 200);
    assert.equal(await store.getQueueItem(two.id), null);
    assert.ok(await store.getQueueItem(one.id));
    assert.equal((await admin.post('/admin/queue/remove', { id: 'no-such-id' })).status, 400);
    assert.equal((await admin.post('/admin/queue/retry', { id: 'no-such-id' })).status, 400);
  });

  test('ManageSieve in /metrics and on the status page: its connections, commands and logins are counted as its own', async () => {
    const scrape = async () => (await fetch(w.url('/metrics'))).text();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (m) => `\\${m}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    const sock = net.connect(w.port('managesieve'), '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const until = async (re: RegExp) => {
      for (let waited = 0; !re.test(got) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      assert.match(got, re);
    };
    try {
      await until(/^OK .*\r\n$/m);
      got = '';
      sock.write('CAPABILITY\r\n');
      await until(/^OK\b.*\r\n$/m);
      got = '';
      sock.write('FROBNICATE\r\n');
      await until(/^NO .*\r\n$/m);
      got = '';
      sock.write(`AUTHENTICATE "PLAIN" "${Buffer.from(`\0${ADMIN}\0wrong password`).toString('base64')}"\r\n`);
      await until(/^NO .*\r\n$/m);
      got = '';
      sock.write(`AUTHENTICATE "PLAIN" "${Buffer.from(`\0${ADMIN}\0${PW}`).toString('base64')}"\r\n`);
      await until(/^OK .*\r\n$/m);
      const during = await scrape();
      const logins = (text: string, outcome: string) => value(text, `letterbox_logins_total{protocol="managesieve",outcome="${outcome}"}`);
      assert.equal(logins(during, 'failed'), logins(before, 'failed') + 1);
      assert.equal(logins(during, 'ok'), logins(before, 'ok') + 1);
      assert.equal(value(during, 'letterbox_connections_total{protocol="managesieve"}'), value(before, 'letterbox_connections_total{protocol="managesieve"}') + 1);
      assert.equal(value(during, 'letterbox_connections_open{protocol="managesieve"}'), 1);
      const count = (text: string, command: string, status: string) =>
        value(text, `letterbox_command_duration_seconds_count{protocol="managesieve",command="${command}",status="${status}"}`);
      assert.equal(count(during, 'CAPABILITY', 'ok'), count(before, 'CAPABILITY', 'ok') + 1);
      assert.equal(count(during, 'other', 'no'), count(before, 'other', 'no') + 1, 'an unknown command is counted as "other", not by its name');
      const status = await admin.get('/admin');
      assert.match(status.body, /<td data-label="Listener">managesieve<\/td>.*?<td data-label="Open \(managesieve\)">1 /);
    } finally {
      sock.destroy();
    }
  });

  test('the status page: version, store, listeners with their open connections per protocol', async () => {
    const imap = await imapLogin(w.port('imap'), ADMIN, PW);
    assert.match(imap.tagged, /^a1 OK/);
    try {
      const page = await admin.get('/admin');
      assert.equal(page.status, 200);
      assert.match(page.body, new RegExp(`letterbox ${version().replace(/\./g, '\\.')}`));
      assert.match(page.body, /Store: memory/);
      for (const name of ['smtp', 'submission', 'imap', 'imaps', 'pop3', 'http', 'https'])
        assert.match(page.body, new RegExp(`<td data-label="Listener">${name}</td><td data-label="Address"><code>127\\.0\\.0\\.1:${w.port(name as 'imap')}</code>`), name);
      const imapRow = /<td data-label="Listener">imap<\/td>.*?<\/tr>/.exec(page.body)?.[0] ?? '';
      assert.match(imapRow, /<td data-label="Open \(imap\)">[1-9]\d* <span class="muted">\(imap\)/, imapRow);
    } finally {
      imap.c.destroy();
    }
  });
});
