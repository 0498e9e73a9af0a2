/**
 * Issue 15: the built-in classifier, end to end. Mail arrives over port 25 (real DNS
 * answers), the user sorts it over IMAP (imapflow: UID MOVE into and out of Junk), the
 * classifier learns from those moves, and once trained a GTUBE message goes to Junk while
 * a clean one stays in INBOX; a Sieve script's spamtest sees the same score. No rspamd involved.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { startTestDns, type TestDns } from '../../helpers/dns-server.js';
import { GTUBE } from '../../helpers/rspamd.js';
import { SmtpClient } from './harness.js';
import { startTrustServer, type TrustServer } from './trust-harness.js';
import { SieveScripts } from '../../../src/sieve/scripts.js';

const USER = 'bob@local.test';
const PASS = 'pw-bob-123';

const HAM = [
  'Minutes of the planning meeting: budget review moved to Thursday, Anna presents the roadmap.',
  'Could you review the pull request for the parser? The tests pass on my machine.',
  'Family dinner on Sunday at six, bring the salad and the photos from the trip.',
  'The quarterly report draft is attached; comments welcome before Friday noon.',
  'Reminder: dentist appointment Tuesday morning, the clinic moved to Oak street.',
  'Thanks for the book recommendation, I finished the first chapter yesterday evening.',
];
const SPAM = [
  `Cheap pills online pharmacy discount viagra offer ${GTUBE.reject} click now`,
  `You won the lottery prize claim your million dollars now ${GTUBE.reject} urgent`,
  `Exclusive casino bonus free spins jackpot winner ${GTUBE.reject} act fast`,
  `Make money fast work from home guaranteed income ${GTUBE.reject} limited offer`,
  `Hot singles in your area click here free dating ${GTUBE.reject} unsubscribe`,
  `Crypto investment doubles your bitcoin guaranteed profit ${GTUBE.reject} now`,
];

let dns: TestDns;
let s: TrustServer;
let imap: ImapFlow;

before(async () => {
  dns = await startTestDns({ records: { 'sender.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  s = await startTrustServer(dns.server, `[spam.bayes]\nmin_learned = 5\nthreshold = 0.9\n`);
  await s.addUser(USER, PASS);
  imap = new ImapFlow({ host: '127.0.0.1', port: s.port('imap'), secure: false, auth: { user: USER, pass: PASS }, tls: { rejectUnauthorized: false }, logger: false });
  await imap.connect();
});
after(async () => {
  await imap?.logout().catch(() => {});
  await s?.stop();
  await dns?.close();
});

async function deliver(subject: string, body: string): Promise<string> {
  const { client } = await SmtpClient.connect(s.port('smtp'));
  try {
    await client.cmd('EHLO client.sender.test');
    await client.cmd('MAIL FROM:<news@sender.test>');
    await client.cmd(`RCPT TO:<${USER}>`);
    const id = Math.random().toString(36).slice(2);
    return await client.data(`From: <news@sender.test>\r\nTo: <${USER}>\r\nSubject: ${subject}\r\nMessage-ID: <${id}@sender.test>\r\n\r\n${body}\r\n`);
  } finally {
    client.close();
  }
}

async function totals(): Promise<{ s: number; h: number }> {
  await s.server.ctx.bayes!.idle();
  const account = (await s.server.ctx.store.getAccount(USER))!;
  const e = (await s.server.ctx.store.kvGet('spam.bayes', account.id, ['#n'])).get('#n');
  return e ? (JSON.parse(e.value) as { s: number; h: number }) : { s: 0, h: 0 };
}

/** UIDs in `mailbox` whose Subject starts with `prefix` */
async function uidsBySubject(mailbox: string, prefix: string): Promise<number[]> {
  const lock = await imap.getMailboxLock(mailbox);
  try {
    const out: number[] = [];
    for await (const m of imap.fetch('1:*', { uid: true, envelope: true })) if (m.envelope?.subject?.startsWith(prefix)) out.push(m.uid);
    return out;
  } finally {
    lock.release();
  }
}

async function move(from: string, uids: number[], to: string): Promise<void> {
  const lock = await imap.getMailboxLock(from);
  try {
    assert.ok(await imap.messageMove(uids.join(','), to, { uid: true }), `UID MOVE ${uids.join(',')} ${from} → ${to}`);
  } finally {
    lock.release();
  }
}

test('untrained, everything lands in INBOX', async () => {
  for (const [i, body] of HAM.entries()) assert.match(await deliver(`ham ${i}`, body), /^250 /);
  for (const [i, body] of SPAM.entries()) assert.match(await deliver(`spam ${i}`, body), /^250 /);
  assert.equal((await s.messages(USER, 'INBOX')).length, HAM.length + SPAM.length);
  assert.equal((await s.messages(USER, 'Junk')).length, 0);
  assert.deepEqual(await totals(), { s: 0, h: 0 });
});

test('moving into Junk over IMAP learns spam; moving out of Junk learns ham', async () => {
  await move('INBOX', await uidsBySubject('INBOX', 'spam '), 'Junk');
  assert.deepEqual(await totals(), { s: SPAM.length, h: 0 });
  // the user files ham into Junk by mistake and takes it back out: learned as ham, not spam
  await move('INBOX', await uidsBySubject('INBOX', 'ham '), 'Junk');
  assert.deepEqual(await totals(), { s: SPAM.length + HAM.length, h: 0 });
  await move('Junk', await uidsBySubject('Junk', 'ham '), 'INBOX');
  assert.deepEqual(await totals(), { s: SPAM.length, h: HAM.length });
  // moving a message again the same way learns nothing twice
  const one = (await uidsBySubject('INBOX', 'ham 0'))[0]!;
  await move('INBOX', [one], 'Archive');
  assert.deepEqual(await totals(), { s: SPAM.length, h: HAM.length });
});

test('deleting spam (Junk → Trash) is not learned as ham', async () => {
  const uid = (await uidsBySubject('Junk', 'spam 5'))[0]!;
  await move('Junk', [uid], 'Trash');
  assert.deepEqual(await totals(), { s: SPAM.length, h: HAM.length });
});

test('trained: a GTUBE message goes to Junk, a clean one to INBOX', async () => {
  assert.match(await deliver('special offer', `Free bonus prize, claim now ${GTUBE.reject}`), /^250 /);
  const junk = (await s.messages(USER, 'Junk')).find((m) => m.includes('Subject: special offer'));
  assert.ok(junk, 'GTUBE message in Junk');
  assert.match(junk, /X-Spam-Flag: YES/);
  assert.match(junk, /X-Spam-Status: Yes, score=[01]\.\d+ required=0\.90 tests=(RDNS_NONE,)?bayes=[01]\.\d+/);

  assert.match(await deliver('meeting notes', 'Notes from the planning meeting: the roadmap review is on Thursday.'), /^250 /);
  const inbox = (await s.messages(USER, 'INBOX')).find((m) => m.includes('Subject: meeting notes'));
  assert.ok(inbox, 'clean message in INBOX');
  assert.match(inbox, /X-Spam-Status: No, score=/);
});

test("Sieve's spamtest sees the classifier's score: a script files trained spam into its own folder, a clean message stays in INBOX", async () => {
  const account = (await s.server.ctx.store.getAccount(USER))!;
  const scripts = new SieveScripts(s.server.ctx.store, { maxScriptBytes: 65536, maxScripts: 20 });
  await scripts.put(account.id, 'spam', 'require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto", "mailbox"];\nif spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto :create "Suspect"; stop; }\n');
  await scripts.setActive(account.id, 'spam');
  try {
    assert.match(await deliver('another offer', `Win a free prize bonus, claim now ${GTUBE.reject}`), /^250 /);
    assert.match(await deliver('lunch plans', 'Lunch on Thursday after the planning meeting? The roadmap review can wait.'), /^250 /);
    const suspect = await s.messages(USER, 'Suspect');
    assert.equal(suspect.length, 1, 'the script, not the default Junk, decided where spam goes');
    assert.match(suspect[0]!, /Subject: another offer/);
    assert.ok(!(await s.messages(USER, 'Junk')).some((m) => m.includes('Subject: another offer')));
    assert.ok((await s.messages(USER, 'INBOX')).some((m) => m.includes('Subject: lunch plans')), 'a low spamtest level: implicit keep to INBOX');
  } finally {
    await scripts.setActive(account.id, '');
  }
});
