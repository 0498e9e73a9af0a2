/**
 * Security review, issue 9 item 7: a removed account, or one whose password changed, must
 * not keep its open sessions. In-process (memory store: the change reaches the session
 * registry on the bus) and across processes (the real `letterbox serve` on SQLite, the
 * real CLI in another process: the change arrives through the change log).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, RawClient, type Fixture } from './harness.js';
import { addUserViaCli, makeServeHome, type ServeHome, type ServeProcess } from '../e2e/serve-process.js';

const VICTIM = 'mallory@example.test';
const VICTIM_PW = 'mallory password 1';
const plain = (user: string, pw: string) => Buffer.from(`\0${user}\0${pw}`).toString('base64');

interface Logged {
  imap: RawClient;
  pop3: RawClient;
  sub: RawClient;
}

async function logInEverywhere(ports: { imap: number; pop3: number; submission: number }, user: string, pw: string): Promise<Logged> {
  const imap = await RawClient.connect(ports.imap);
  await imap.expect((x) => x.includes('\r\n'), 'IMAP greeting');
  imap.write(`a1 LOGIN ${user} "${pw}"\r\na2 ID ("name" "sessiontest" "version" "1.0")\r\na3 SELECT INBOX\r\n`);
  await imap.expect((x) => /\r\na3 OK/.test(x), 'IMAP login and SELECT');
  imap.take();
  const pop3 = await RawClient.connect(ports.pop3);
  await pop3.expect((x) => x.includes('\r\n'), 'POP3 greeting');
  pop3.write(`USER ${user}\r\nPASS ${pw}\r\n`);
  await pop3.expect((x) => /\+OK[^\r]*\r\n\+OK[^\r]*\r\n\+OK Logged in/.test(x), 'POP3 login');
  pop3.take();
  const sub = await RawClient.connect(ports.submission);
  await sub.expect((x) => /^220 /.test(x), 'SMTP greeting');
  sub.write('EHLO laptop.example.test\r\n');
  await sub.expect((x) => /\r\n250 /.test(x), 'EHLO');
  sub.take();
  sub.write(`AUTH PLAIN ${plain(user, pw)}\r\n`);
  await sub.expect((x) => /^235 /m.test(x), 'AUTH PLAIN accepted');
  sub.take();
  sub.write(`MAIL FROM:<${user}>\r\n`);
  await sub.expect((x) => /^250 /m.test(x), 'MAIL FROM accepted');
  sub.take();
  sub.write('RSET\r\n');
  await sub.expect((x) => /^250 /m.test(x), 'RSET');
  sub.take();
  return { imap, pop3, sub };
}

/** every session is told why and closed; a submission session cannot send any more */
async function assertAllEnded(s: Logged, reason: RegExp, user = VICTIM): Promise<void> {
  await s.imap.expect((x) => /\* BYE [^\r]*\r\n/.test(x), 'IMAP BYE');
  assert.match(s.imap.text, reason);
  assert.ok(await s.imap.waitClosed(), 'IMAP connection closed');
  await s.pop3.expect((x) => /-ERR [^\r]*\r\n/.test(x), 'POP3 -ERR');
  assert.match(s.pop3.text, reason);
  assert.ok(await s.pop3.waitClosed(), 'POP3 connection closed');
  // the submission session is gone too: a sender trying again gets 421 and the connection closes
  s.sub.write(`MAIL FROM:<${user}>\r\nRCPT TO:<someone@elsewhere.test>\r\nDATA\r\n`);
  await s.sub.expect((x) => /^421 4\.7\.0 /m.test(x), 'submission 421');
  assert.match(s.sub.text, reason);
  assert.doesNotMatch(s.sub.text, /^(250|354) /m, 'nothing more accepted');
  assert.ok(await s.sub.waitClosed(), 'submission connection closed');
}

describe('security: sessions end with their account (in-process, memory store)', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture('memory');
  });
  after(() => f.close());

  test('the registry lists the logged-in sessions with their client names', async () => {
    await f.t.addUser(VICTIM, VICTIM_PW);
    const account = (await f.t.ctx.store.getAccount(VICTIM))!;
    const s = await logInEverywhere({ imap: f.imapPort, pop3: f.pop3Port, submission: f.submissionPort }, VICTIM, VICTIM_PW);
    const list = f.t.ctx.sessions.list(account.id);
    assert.deepEqual(list.map((x) => x.protocol).sort(), ['imap', 'pop3', 'submission']);
    assert.ok(list.every((x) => x.user === VICTIM && x.credential === 'password' && x.remoteAddress === '127.0.0.1'));
    assert.equal(list.find((x) => x.protocol === 'imap')!.clientName, 'sessiontest 1.0');
    assert.equal(list.find((x) => x.protocol === 'submission')!.clientName, 'laptop.example.test');
    for (const c of Object.values(s)) c.destroy();
    await f.t.ctx.store.deleteAccount(account.id);
  });

  test('a password change ends every session; the new password logs in again', async () => {
    const user = 'trudy@example.test';
    const account = await f.t.addUser(user, VICTIM_PW);
    const ports = { imap: f.imapPort, pop3: f.pop3Port, submission: f.submissionPort };
    const s = await logInEverywhere(ports, user, VICTIM_PW);
    await f.t.ctx.store.updateAccount(account.id, { passwordHash: await f.t.ctx.auth.hashPassword('new password 2') });
    await assertAllEnded(s, /password changed/, user);
    assert.equal(f.t.ctx.sessions.list(account.id).length, 0);
    const again = await logInEverywhere(ports, user, 'new password 2');
    await f.t.ctx.store.deleteAccount(account.id);
    await assertAllEnded(again, /account removed/, user);
    assert.equal((await f.t.ctx.store.listQueue()).length, 0, 'nothing was queued');
    await f.assertHealthy();
  });
});

describe('security: sessions end with their account (the CLI in another process, SQLite)', () => {
  let home: ServeHome;
  let serve: ServeProcess;
  before(async () => {
    home = makeServeHome();
    serve = await home.start();
    await addUserViaCli(home, VICTIM, VICTIM_PW);
  });
  after(() => home.cleanup());

  test('letterbox user passwd, then letterbox user remove, end the open IMAP, POP3 and submission sessions', async () => {
    const ports = { imap: serve.ports.imap, pop3: serve.ports.pop3, submission: serve.ports.submission };
    const s = await logInEverywhere(ports, VICTIM, VICTIM_PW);
    const p = await home.cli(['user', 'passwd', VICTIM], 'another password 3\n');
    assert.equal(p.code, 0, p.stderr);
    await assertAllEnded(s, /password changed/);
    const again = await logInEverywhere(ports, VICTIM, 'another password 3');
    const r = await home.cli(['user', 'remove', VICTIM]);
    assert.equal(r.code, 0, r.stderr);
    await assertAllEnded(again, /account removed/);
    const q = await home.cli(['queue', 'list']);
    assert.doesNotMatch(q.stdout, /mallory/, 'nothing queued by the removed account');
  });
});
