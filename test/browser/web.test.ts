/**
 * Browser tests: headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
 * against a whole letterbox server, with real mail clients beside it (python imaplib,
 * poplib and smtplib):
 *
 *  - a user signs in, sees the device that just logged in over IMAP, signs it out, and
 *    that client's connection closes;
 *  - restores a message a POP3 client deleted: it is back in INBOX for IMAP and POP3;
 *  - makes an app password limited to IMAP: IMAP accepts it, SMTP submission refuses it;
 *  - an admin adds a domain and a user and sees the outbound queue with its last error;
 *  - an admin reads a domain's DMARC aggregate reports and one report's records; a user gets 403.
 *
 * Every page is screenshotted at desktop and phone widths into test-artifacts/screenshots/
 * (git-ignored) and checked with axe-core (WCAG 2 A/AA rules) injected into the page.
 * One browser for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { has } from '../helpers/tools.js';
import { startWebServer, type WebServer } from '../helpers/web.js';
import { reportMail, reportXml } from '../helpers/dmarc-report.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = join('test-artifacts', 'screenshots');
const ALICE = 'alice@example.test';
const ADMIN = 'admin@example.test';
const PW = 'correct horse battery';
const skip = !has(CHROMIUM) ? 'chromium is not installed (apt-get install chromium)' : !has('python3') ? 'python3 is not installed' : false;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** python imaplib: ID, LOGIN, then NOOP every 200 ms until the server closes the connection */
const IMAP_STAY = `
import imaplib, sys, time
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.xatom('ID', '("name" "browser-test-imaplib" "version" "1.0")')
m.login(sys.argv[2], sys.argv[3])
print('LOGGED IN', flush=True)
try:
    while True:
        m.noop()
        time.sleep(0.2)
except Exception as e:
    print('CLOSED', type(e).__name__, flush=True)
`;

/** python imaplib: prints the subjects in INBOX */
const IMAP_LIST = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.starttls()
m.login(sys.argv[2], sys.argv[3])
m.select('INBOX')
typ, data = m.search(None, 'ALL')
for n in data[0].split():
    typ, d = m.fetch(n, '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    print(d[0][1].decode().strip())
m.logout()
`;

/** python poplib: UIDL, then DELE of the message with the given subject when asked, QUIT */
const POP3 = `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.stls()
p.user(sys.argv[2]); p.pass_(sys.argv[3])
want = sys.argv[4] if len(sys.argv) > 4 else None
for line in p.uidl()[1]:
    n, uid = line.decode().split()
    subject = [l.decode() for l in p.top(int(n), 0)[1] if l.lower().startswith(b'subject:')]
    print(uid, subject[0] if subject else '')
    if want and subject and subject[0] == 'Subject: ' + want:
        p.dele(int(n))
p.quit()
`;

/** python smtplib: STARTTLS then AUTH with the given password; prints OK or the refusal code */
const SMTP_AUTH = `
import smtplib, ssl, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.starttls(context=ssl._create_unverified_context())
try:
    s.login(sys.argv[2], sys.argv[3]); print('OK')
except smtplib.SMTPAuthenticationError as e:
    print('REFUSED', e.smtp_code)
s.quit()
`;

function python(script: string, args: string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

/** resolves when the child printed a line matching `re` */
function waitFor(child: ChildProcess, re: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`no output matching ${re} within ${timeoutMs} ms; got ${JSON.stringify(buf)}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(t);
        resolve(m[0]);
      }
    });
  });
}

describe('web pages in Chromium', { skip }, () => {
  let w: WebServer;
  let browser: Browser;
  const shots: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    w = await startWebServer({ auth: { plaintext_allowed_from: ['127.0.0.1'] } });
    await w.addUser(ALICE, PW);
    await w.addUser(ADMIN, PW, { admin: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await w?.stop();
  });

  async function newContext(): Promise<BrowserContext> {
    // bypassCSP lets the test inject axe-core; the pages themselves run no script
    return browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, viewport: { width: 1280, height: 800 } });
  }

  /** screenshots at desktop and phone width, and an axe-core check of the page */
  async function check(page: Page, name: string): Promise<void> {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than a phone screen`);
    await page.setViewportSize({ width: 1280, height: 800 });
    shots.push(name);
    await page.addScriptTag({ content: readFileSync(AXE, 'utf8') });
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
      const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], `${name}: accessibility problems`);
  }

  async function signIn(page: Page, address: string): Promise<void> {
    await page.goto(w.url('/login', 'https'));
    await page.fill('#address', address);
    await page.fill('#password', PW);
    await Promise.all([page.waitForURL(/\/account$/), page.click('button[type=submit]')]);
  }

  test('setup page: settings for an address, the profile link and its QR code', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await page.goto(w.url('/', 'https'));
    await check(page, 'setup-ask');
    await page.fill('#email', ALICE);
    await Promise.all([page.waitForURL(/email=/), page.click('button[type=submit]')]);
    assert.match((await page.textContent('main')) ?? '', new RegExp(`Incoming \\(IMAP\\)\\s*${w.server.ctx.config.hostname}\\s*${w.port('imaps')}\\s*SSL/TLS`));
    assert.ok(await page.isVisible('.qr svg'));
    assert.equal(await page.getAttribute('a[href^="/apple/mobileconfig"]', 'href'), `/apple/mobileconfig?email=${encodeURIComponent(ALICE)}`);
    await check(page, 'setup-settings');
    await ctx.close();
  });

  test('a device that logged in over IMAP is listed and signed out: its connection closes', async () => {
    const imap = spawn('python3', ['-c', IMAP_STAY, String(w.port('imap')), ALICE, PW], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitFor(imap, /LOGGED IN/);
      const ctx = await newContext();
      const page = await ctx.newPage();
      await signIn(page, ALICE);
      await check(page, 'account');
      await page.goto(w.url('/account/devices', 'https'));
      const row = page.locator('tr', { hasText: 'browser-test-imaplib 1.0' });
      assert.equal(await row.count(), 1, 'the IMAP client is listed by the name it gave in ID');
      assert.match((await row.textContent()) ?? '', /IMAP.*127\.0\.0\.1.*connected now \(1\)/s);
      await check(page, 'devices');
      const closed = waitFor(imap, /CLOSED/, 10_000);
      await Promise.all([page.waitForSelector('.notice.ok'), row.locator('button').click()]);
      assert.match((await page.textContent('.notice.ok')) ?? '', /1 open connection ended/);
      await closed;
      assert.equal(await page.locator('tr', { hasText: 'browser-test-imaplib' }).count(), 0);
      await ctx.close();
    } finally {
      imap.kill();
    }
  });

  test('a message deleted over POP3 is restored and is back in INBOX for IMAP and POP3', async () => {
    const { store } = w.server.ctx;
    const alice = (await store.getAccount(ALICE))!;
    await store.deliver([{ accountId: alice.id }], Buffer.from(`From: bob@example.org\r\nTo: ${ALICE}\r\nSubject: Keep me please\r\nMessage-ID: <keep@example.org>\r\n\r\nimportant\r\n`));
    const listed = await python(POP3, [String(w.port('pop3')), ALICE, PW, 'Keep me please']);
    assert.equal(listed.code, 0, listed.err);
    const uidl = /^(\S+) Subject: Keep me please$/m.exec(listed.out)?.[1];
    assert.ok(uidl, listed.out);
    assert.doesNotMatch((await python(IMAP_LIST, [String(w.port('imap')), ALICE, PW])).out, /Keep me please/, 'gone from INBOX after the POP3 DELE');

    const ctx = await newContext();
    const page = await ctx.newPage();
    await signIn(page, ALICE);
    await page.goto(w.url('/account/deleted', 'https'));
    await check(page, 'deleted');
    await page.getByLabel('Keep me please').check();
    await Promise.all([page.waitForSelector('.notice.ok'), page.click('button[value=selected]')]);
    assert.match((await page.textContent('.notice.ok')) ?? '', /Restored 1 message/);
    await ctx.close();

    const imap = await python(IMAP_LIST, [String(w.port('imap')), ALICE, PW]);
    assert.match(imap.out, /Subject: Keep me please/, imap.err);
    const pop = await python(POP3, [String(w.port('pop3')), ALICE, PW]);
    assert.match(pop.out, new RegExp(`^${uidl} Subject: Keep me please$`, 'm'), 'POP3 sees it again under the same UIDL');
  });

  test('an app password limited to IMAP works for IMAP and is refused for SMTP', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await signIn(page, ALICE);
    await page.goto(w.url('/account/app-passwords', 'https'));
    await check(page, 'app-passwords');
    await page.fill('#name', 'Tablet mail app');
    await page.uncheck('input[value=pop3]');
    await page.uncheck('input[value=smtp]');
    await Promise.all([page.waitForSelector('#new-password'), page.click('form[action="/account/app-passwords"] button[type=submit]')]);
    const password = ((await page.textContent('#new-password')) ?? '').trim();
    assert.match(password, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
    await check(page, 'app-password-made');
    await ctx.close();

    const imap = await python(IMAP_LIST, [String(w.port('imap')), ALICE, password]);
    assert.equal(imap.code, 0, `IMAP with the app password: ${imap.err}`);
    const smtp = await python(SMTP_AUTH, [String(w.port('submission')), ALICE, password]);
    assert.equal(smtp.out.trim(), 'REFUSED 535', smtp.err);
    const smtpOwn = await python(SMTP_AUTH, [String(w.port('submission')), ALICE, PW]);
    assert.equal(smtpOwn.out.trim(), 'OK', 'the account password still works for SMTP');
  });

  test('the other account pages render and pass the checks', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await signIn(page, ALICE);
    await page.goto(w.url('/account/password', 'https'));
    await check(page, 'password');
    await page.goto(w.url('/account/filters', 'https'));
    await page.fill('#script', 'keep;\nfileinto "x";');
    await Promise.all([page.waitForSelector('#script-error'), page.click('form[action="/account/filters"] button[type=submit]')]);
    assert.match((await page.textContent('#script-error')) ?? '', /Line 2, column 1/);
    await check(page, 'filters');
    await page.goto(w.url('/login', 'https'));
    await ctx.close();
    const anon = await (await newContext()).newPage();
    await anon.goto(w.url('/login', 'https'));
    await check(anon, 'login');
    await anon.context().close();
  });

  test('an admin adds a domain and a user, and sees the queue with its last error', async () => {
    const { store } = w.server.ctx;
    const item = await store.enqueue({ from: ALICE, recipients: ['someone@unreachable.example'], raw: Buffer.from('Subject: out\r\n\r\nx\r\n'), accountId: null });
    await store.updateQueueItem(item.id, { attempts: 1, lastError: 'someone@unreachable.example: no mail server for unreachable.example could be reached', nextAttemptAt: new Date(Date.now() + 3600_000) });
    const ctx = await newContext();
    const page = await ctx.newPage();
    await signIn(page, ADMIN);
    await page.goto(w.url('/admin', 'https'));
    await check(page, 'admin-status');
    await page.goto(w.url('/admin/domains', 'https'));
    await page.fill('#domain', 'newdomain.test');
    await Promise.all([page.waitForSelector('.notice.ok'), page.click('form[action="/admin/domains"] button[type=submit]')]);
    assert.ok(await store.getDomain('newdomain.test'));
    assert.equal(await page.locator('td a', { hasText: 'newdomain.test' }).count(), 1);
    await check(page, 'admin-domains');
    await page.click('td a:text("newdomain.test")');
    await page.waitForSelector('h1:text("DNS for newdomain.test")');
    assert.match((await page.textContent('main')) ?? '', /_dmarc\.newdomain\.test\./);
    await check(page, 'admin-domain-dns');
    await page.goto(w.url('/admin/users', 'https'));
    await page.fill('#address', 'dave@newdomain.test');
    await page.fill('#password', 'dave password 123');
    await page.fill('#quota', '1G');
    await Promise.all([page.waitForSelector('.notice.ok'), page.click('form[action="/admin/users"] button[type=submit]')]);
    const dave = await store.getAccount('dave@newdomain.test');
    assert.equal(dave?.quotaBytes, 1024 ** 3);
    await check(page, 'admin-users');
    await page.click('a:text("dave@newdomain.test")');
    await check(page, 'admin-user');
    await page.goto(w.url('/admin/queue', 'https'));
    const row = page.locator('tr', { hasText: item.id });
    assert.match((await row.textContent()) ?? '', /no mail server for unreachable\.example/);
    await check(page, 'admin-queue');
    for (const p of ['aliases', 'backups']) {
      await page.goto(w.url(`/admin/${p}`, 'https'));
      await check(page, `admin-${p}`);
    }
    await ctx.close();
  });

  test('an admin reads the DMARC reports of a domain and one report\'s records; a user gets 403', async () => {
    const { store } = w.server.ctx;
    const pm = await w.addUser('postmaster@example.test', PW);
    const end = Math.floor(Date.now() / 1000) - 3600;
    const xml = reportXml({
      reportId: 'browser-report-1',
      begin: end - 86400,
      end,
      records: [
        { ip: '192.0.2.10', count: 40, disposition: 'none', dkim: 'pass', spf: 'pass' },
        { ip: '203.0.113.66', count: 5, disposition: 'reject', dkim: 'fail', spf: 'fail' },
      ],
    });
    await store.append(pm.id, (await store.getMailbox(pm.id, 'INBOX'))!.id, { raw: reportMail(xml, 'postmaster@example.test') });
    const ctx = await newContext();
    const page = await ctx.newPage();
    await signIn(page, ADMIN);
    await page.goto(w.url('/admin', 'https'));
    await Promise.all([page.waitForURL(/\/admin\/dmarc$/), page.click('nav a:text("DMARC reports")')]);
    await page.selectOption('#domain', 'example.test');
    await page.selectOption('#days', '7');
    await Promise.all([page.waitForURL(/domain=example\.test&days=7/), page.click('form.filters button[type=submit]')]);
    assert.match((await page.locator('tr', { hasText: 'browser-report-1' }).textContent()) ?? '', /google\.com.*45\s*40\s*5\s*2/s);
    await check(page, 'admin-dmarc');
    await Promise.all([page.waitForSelector('h1:text("DMARC report from google.com")'), page.click('a:text("browser-report-1")')]);
    const row = (await page.locator('tr', { hasText: '203.0.113.66' }).textContent()) ?? '';
    assert.match(row, /203\.0\.113\.66\s*5\s*reject\s*fail\s*fail\s*example\.test/);
    await check(page, 'admin-dmarc-report');
    await ctx.close();
    const user = await (await newContext()).newPage();
    await signIn(user, ALICE);
    const res = await user.goto(w.url('/admin/dmarc', 'https'));
    assert.equal(res?.status(), 403);
    assert.doesNotMatch((await user.textContent('main')) ?? '', /browser-report-1/);
    await user.context().close();
  });
});
