/** The filter page (/account/filters): the script checked before it is stored, errors with line and column, the vacation form. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, WebClient, type WebServer } from '../../helpers/web.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';
import { deliverLocal } from '../../../src/smtp/delivery/deliver.js';
import type { Account } from '../../../src/store/types.js';

const ALICE = 'alice@example.test';
const PW = 'correct horse battery';
let w: WebServer;
let alice: Account;
let scripts: SieveScripts;

before(async () => {
  w = await startWebServer();
  alice = await w.addUser(ALICE, PW);
  scripts = new SieveScripts(w.server.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
});
after(() => w.stop());

test('the script is checked: an error is shown with its line and column and nothing is stored; a valid one is stored and active', async () => {
  const c = new WebClient(w.url());
  assert.equal((await c.signIn(ALICE, PW)).status, 303);
  const page = await c.get('/account/filters');
  assert.equal(page.status, 200);
  assert.match(page.body, /<a href="\/account\/filters"[^>]*>Filters<\/a>/, 'in the account menu');
  assert.match(page.body, /<textarea id="script" name="script"/);

  const bad = await c.post('/account/filters', { script: 'keep;\r\nfileinto "Junk";\r\n' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /Line 2, column 1: &quot;fileinto&quot; needs require &quot;fileinto&quot;/);
  assert.match(bad.body, /fileinto &quot;Junk&quot;;/, 'the text stays in the editor');
  assert.equal(await scripts.activeName(alice.id), null);

  const good = 'require "fileinto";\r\nif header :contains "subject" "[spam]" { fileinto "Junk"; }\r\n';
  const ok = await c.post('/account/filters', { script: good });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /Script checked and saved/);
  assert.equal(await scripts.activeName(alice.id), 'filters');
  assert.equal(await scripts.get(alice.id, 'filters'), good);

  // and delivery follows it
  const [r] = await deliverLocal(w.server.ctx, [alice], Buffer.from('From: x@example.org\r\nSubject: [spam] hi\r\n\r\nbody\r\n'), { returnPath: 'x@example.org' });
  assert.ok(r && 'uid' in r);
  const junk = (await w.server.ctx.store.getMailbox(alice.id, 'Junk'))!;
  assert.equal((await w.server.ctx.store.mailboxStatus(alice.id, junk.id)).messages, 1);
});

test('the vacation form writes a vacation script around the filters, and turning it off restores them', async () => {
  const c = new WebClient(w.url());
  await c.signIn(ALICE, PW);
  await c.get('/account/filters');
  const empty = await c.post('/account/filters/vacation', { enabled: '1', subject: 'Away', message: '', days: '3' });
  assert.equal(empty.status, 400);
  const on = await c.post('/account/filters/vacation', { enabled: '1', subject: 'Away "now"', message: 'Back on Monday.\nReally.', days: '3' });
  assert.equal(on.status, 200);
  assert.match(on.body, /Vacation reply is on/);
  assert.equal(await scripts.activeName(alice.id), 'vacation');
  const text = (await scripts.get(alice.id, 'vacation'))!;
  assert.match(text, /vacation :days 3 :subject "Away \\"now\\"" "Back on Monday\.\r\nReally\.";/);
  assert.match(text, /include :optional "filters";/);
  assert.match((await c.get('/account/filters')).body, /<input type="checkbox" name="enabled" value="1" checked>/);
  const off = await c.post('/account/filters/vacation', { subject: 'Away', message: 'Back on Monday.', days: '3' });
  assert.match(off.body, /Vacation reply is off/);
  assert.equal(await scripts.activeName(alice.id), 'filters');
  assert.match((await c.get('/account/filters')).body, /Back on Monday\./, 'the form remembers the text');
});

test('the page needs a sign-in and a CSRF token', async () => {
  const anon = new WebClient(w.url());
  const r = await anon.get('/account/filters');
  assert.notEqual(r.status, 200);
  const c = new WebClient(w.url());
  await c.signIn(ALICE, PW);
  const forged = await c.post('/account/filters', { script: 'discard;' }, { csrf: 'wrong' });
  assert.equal(forged.status, 403);
  assert.notEqual(await scripts.get(alice.id, 'filters'), 'discard;');
});
