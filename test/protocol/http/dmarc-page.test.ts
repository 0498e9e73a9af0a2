/**
 * Issue 15: the admin console's DMARC report page (/admin/dmarc) over a whole running server:
 * reports in the postmaster@ mailboxes listed per domain and period, one report's records,
 * reports about domains not hosted here left out, the reporter's text escaped, and the page
 * closed to everyone but administrators (sign-in first for strangers, 403 for other users).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, WebClient, type WebServer } from '../../helpers/web.js';
import { reportMail, reportXml } from '../../helpers/dmarc-report.js';

const PW = 'correct horse battery';
const now = Math.floor(Date.now() / 1000);
const DAY = 86400;

describe('admin console: DMARC reports', () => {
  let w: WebServer;
  let admin: WebClient;

  before(async () => {
    w = await startWebServer();
    await w.addUser('alice@example.test', PW);
    await w.addUser('admin@example.test', PW, { admin: true });
    const pm = await w.addUser('postmaster@example.test', PW);
    const pmOther = await w.addUser('dmarc-reports@other.test', PW);
    const { store } = w.server.ctx;
    const put = async (accountId: number, raw: Buffer) => store.append(accountId, (await store.getMailbox(accountId, 'INBOX'))!.id, { raw });
    // recent, about example.test: 12 passing from 192.0.2.10, 3 failing from 203.0.113.66
    await put(pm.id, reportMail(reportXml({ reportId: 'g-recent', begin: now - 2 * DAY, end: now - DAY }), 'postmaster@example.test'));
    // 200 days old
    await put(pm.id, reportMail(reportXml({ org: 'yahoo.com', reportId: 'y-old', begin: now - 201 * DAY, end: now - 200 * DAY }), 'postmaster@example.test', { org: 'yahoo.com' }));
    // a reporter name that is markup
    await put(pm.id, reportMail(reportXml({ org: '&lt;img src=x onerror=alert(1)&gt;', reportId: 'evil-1', begin: now - 3 * DAY, end: now - 2 * DAY }), 'postmaster@example.test'));
    // about a domain not hosted here, sent to our postmaster
    await put(pm.id, reportMail(reportXml({ domain: 'notours.test', reportId: 'n-1', begin: now - 2 * DAY, end: now - DAY }), 'postmaster@example.test', { domain: 'notours.test' }));
    // other.test's reports go to its dmarc-reports@
    await put(
      pmOther.id,
      reportMail(reportXml({ domain: 'other.test', org: 'outlook.com', reportId: 'o-1', begin: now - 2 * DAY, end: now - DAY, records: [{ ip: '198.51.100.5', count: 7, disposition: 'reject', dkim: 'fail', spf: 'fail' }] }), 'dmarc-reports@other.test', { domain: 'other.test', org: 'outlook.com' }),
    );
    admin = new WebClient(w.url());
    await admin.signIn('admin@example.test', PW);
  });
  after(() => w?.stop());

  test('strangers are sent to sign in; a signed-in non-admin gets 403 on the list and on a report', async () => {
    const anon = new WebClient(w.url());
    const r = await anon.get('/admin/dmarc');
    assert.equal(r.status, 303);
    assert.match(r.location ?? '', /^\/login\?next=%2Fadmin%2Fdmarc/);
    const alice = new WebClient(w.url());
    await alice.signIn('alice@example.test', PW);
    for (const path of ['/admin/dmarc', '/admin/dmarc?domain=example.test&days=0', '/admin/dmarc/report?org=google.com&id=g-recent']) {
      const res = await alice.get(path);
      assert.equal(res.status, 403, path);
      assert.doesNotMatch(res.body, /203\.0\.113\.66|g-recent/, path);
    }
    // the postmaster who receives the reports is no administrator either
    const pm = new WebClient(w.url());
    await pm.signIn('postmaster@example.test', PW);
    assert.equal((await pm.get('/admin/dmarc')).status, 403);
  });

  test('the last 30 days by default: per-domain totals and the reports, not the old one nor the foreign domain', async () => {
    const r = await admin.get('/admin/dmarc');
    assert.equal(r.status, 200);
    assert.match(r.body, /href="\/admin\/dmarc" aria-current="page"/, 'in the admin menu');
    // example.test: two reports, 2 × 15 messages, 24 passed, 6 failed, 2 sources (1 failing)
    assert.match(r.body, /<td data-label="Domain">example\.test<\/td>\s*<td data-label="Reports">2<\/td>\s*<td data-label="Messages">30<\/td>\s*<td data-label="Passed">24<\/td>\s*<td data-label="Failed"><strong class="fail">6<\/strong><\/td>\s*<td data-label="Sources \(failing\)">2 \(1\)<\/td>/);
    assert.match(r.body, /<td data-label="Domain">other\.test<\/td>\s*<td data-label="Reports">1<\/td>\s*<td data-label="Messages">7<\/td>/);
    assert.match(r.body, /g-recent/);
    assert.match(r.body, /o-1/);
    assert.doesNotMatch(r.body, /y-old/);
    assert.doesNotMatch(r.body, /notours|n-1/);
    // the reporter's name is text, never markup
    assert.doesNotMatch(r.body, /<img src=x/);
    assert.match(r.body, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  test('per domain and period', async () => {
    const one = await admin.get('/admin/dmarc?domain=other.test&days=7');
    assert.match(one.body, /o-1/);
    assert.doesNotMatch(one.body, /g-recent|evil-1/);
    assert.match(one.body, /<option value="other\.test" selected>/);
    const all = await admin.get('/admin/dmarc?domain=example.test&days=0');
    assert.match(all.body, /y-old/);
    assert.match(all.body, /g-recent/);
    assert.doesNotMatch(all.body, /o-1/);
    const year = await admin.get('/admin/dmarc?days=365');
    assert.match(year.body, /y-old/);
    // a domain not hosted here is no filter: it shows our domains, never its reports
    const foreign = await admin.get('/admin/dmarc?domain=notours.test&days=0');
    assert.equal(foreign.status, 200);
    assert.doesNotMatch(foreign.body, /n-1/);
    assert.match(foreign.body, /g-recent/);
  });

  test('one report: its records with source, count, disposition, DKIM and SPF; unknown or foreign reports are 404', async () => {
    const list = await admin.get('/admin/dmarc');
    const href = /href="(\/admin\/dmarc\/report\?[^"]*g-recent[^"]*)"/.exec(list.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(href, 'a link to the report');
    const r = await admin.get(href);
    assert.equal(r.status, 200);
    assert.match(r.body, /<h1>DMARC report from google\.com<\/h1>/);
    assert.match(r.body, /<code>203\.0\.113\.66<\/code><\/td>\s*<td data-label="Messages">3<\/td>\s*<td data-label="Disposition">quarantine<\/td>\s*<td data-label="DKIM"><span class="fail">fail<\/span><\/td>\s*<td data-label="SPF"><span class="fail">fail<\/span><\/td>/);
    assert.match(r.body, /<code>192\.0\.2\.10<\/code><\/td>\s*<td data-label="Messages">12<\/td>\s*<td data-label="Disposition">none<\/td>\s*<td data-label="DKIM"><span class="pass">pass<\/span><\/td>/);
    assert.match(r.body, /postmaster@example\.test, mailbox INBOX, UID 1/);
    assert.equal((await admin.get('/admin/dmarc/report?org=google.com&id=nope')).status, 404);
    assert.equal((await admin.get('/admin/dmarc/report?org=google.com&id=n-1')).status, 404, 'a report about a domain not hosted here');
    assert.equal((await admin.get('/admin/dmarc/report')).status, 404);
  });
});
