/**
 * Security review, IMAP: bounded memory before authentication, keyword limits, mailbox
 * names that look like paths or another account's mailbox.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, taggedReply, type Fixture } from './harness.js';
import { MAX_KEYWORDS_PER_MESSAGE, PRE_AUTH_LITERAL_MAX } from '../../src/imap/session/limits.js';
import { listMatcher } from '../../src/imap/wire/listmatch.js';

describe('security: IMAP', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.assertHealthy();
    await f.close();
  });

  it('refuses a large synchronizing literal before authentication (no "+" continuation)', async () => {
    const c = await f.imapConnect();
    c.write(`a LOGIN {${PRE_AUTH_LITERAL_MAX + 1}}\r\n`);
    await c.expect((x) => x.includes('\r\n'), 'a reply to the literal announcement');
    const t = c.take();
    assert.doesNotMatch(t, /^\+/, `server invited a ${PRE_AUTH_LITERAL_MAX + 1}-byte literal before login: ${t}`);
    assert.match(t, /^a (NO|BAD)/);
    // a small literal (a password with odd characters) still works
    c.write(`b LOGIN alice@example.test {${'correct horse battery'.length}}\r\n`);
    await c.expect((x) => x.startsWith('+'), 'continuation for a small literal');
    c.take();
    c.write('correct horse battery\r\n');
    await c.expect((x) => /(^|\n)b (OK|NO|BAD)/.test(x), 'LOGIN reply');
    assert.match(c.take(), /(^|\n)b OK/);
    c.destroy();
  });

  it('skips a large non-synchronizing literal before authentication without buffering it', async () => {
    const c = await f.imapConnect();
    c.write(`a LOGIN {${PRE_AUTH_LITERAL_MAX + 1}+}\r\n`);
    await c.expect((x) => /(^|\n)a (NO|BAD)/.test(x) || x.includes('BYE'), 'refusal of the literal');
    c.destroy();
  });

  it('refuses many small literals in one command before authentication: the total is capped, not only each piece (issue 9 item 1)', async () => {
    const c = await f.imapConnect();
    // the review's attack: a LOGIN of thousands of small non-synchronizing pieces, never
    // finished (4,000 bytes each: within LITERAL-'s 4 KiB before login, RFC 7888 §5)
    const n = 4000;
    const piece = `${'x'.repeat(n)} {${n}+}\r\n`;
    c.write(`a LOGIN {${n}+}\r\n`);
    for (let i = 0; i < 200 && !c.closed; i++) c.write(piece);
    await c.expect((x) => /(^|\n)a NO \[TOOBIG\]/.test(x), 'NO [TOOBIG] while the command is still being sent');
    assert.match(c.text, /total 8192 bytes in 4 pieces before authentication/);
    assert.ok(await c.waitClosed(), 'the connection is closed');
    // synchronizing pieces: the second is refused before its data is invited
    const d = await f.imapConnect();
    d.write(`b LOGIN {6000}\r\n`);
    await d.expect((x) => x.startsWith('+'), 'first piece invited');
    d.take();
    d.write(`${'y'.repeat(6000)} {6000}\r\n`);
    await d.expect((x) => /(^|\n)b NO \[TOOBIG\]/.test(x), 'second piece refused');
    assert.doesNotMatch(d.text, /^\+/m, 'no continuation for the piece over the total');
    // the connection is still usable
    d.write(`c LOGIN ${'alice@example.test'} "correct horse battery"\r\n`);
    await d.expect((x) => /(^|\n)c (OK|NO|BAD)/.test(x), 'LOGIN afterwards');
    assert.match(d.take(), /(^|\n)c OK/);
    d.destroy();
  });

  it('after login, literals of commands other than APPEND are capped at limits.line_length in total (issue 9 item 1)', async () => {
    const c = await f.imapLogin();
    c.write('s SELECT INBOX\r\n');
    await c.expect((x) => /\r\ns OK/.test(x), 'SELECT');
    c.take();
    const n = 4000;
    const pieces = Math.ceil(f.t.ctx.config.limits.line_length / n) + 1; // just over the line length in total
    let cmd = 'q SEARCH';
    for (let i = 0; i < pieces; i++) cmd += ` TEXT {${n}+}\r\n${'z'.repeat(n)}`;
    c.write(cmd + '\r\n');
    await c.expect((x) => /(^|\n)q (OK|NO|BAD)/.test(x), 'SEARCH reply');
    assert.match(c.take(), /(^|\n)q NO \[TOOBIG\] Literals of one SEARCH may total/);
    // within the limit it works, and APPEND is not limited by it
    c.write(`r SEARCH TEXT {${n}+}\r\n${'z'.repeat(n)}\r\n`);
    await c.expect((x) => /(^|\n)r (OK|NO|BAD)/.test(x), 'small SEARCH');
    assert.match(c.take(), /(^|\n)r OK/);
    const msg = `Subject: big append\r\n\r\n${'w'.repeat(2 * f.t.ctx.config.limits.line_length)}\r\n`;
    c.write(`t APPEND INBOX {${msg.length}+}\r\n${msg}\r\n`);
    await c.expect((x) => /(^|\n)t (OK|NO|BAD)/.test(x), 'APPEND');
    assert.match(c.take(), /(^|\n)t OK/);
    c.destroy();
  });

  it('STORE beyond the keyword limit per message is NO [LIMIT] and stores nothing', async () => {
    const c = await f.imapLogin();
    c.write('s SELECT INBOX\r\n');
    await c.expect((x) => /\r\ns OK/.test(x), 'SELECT');
    c.take();
    const half = Math.ceil(MAX_KEYWORDS_PER_MESSAGE / 2) + 1;
    const kw = (from: number) => Array.from({ length: half }, (_, i) => `k${from + i}`).join(' ');
    c.write(`t1 STORE 1 +FLAGS.SILENT (${kw(0)})\r\n`);
    await c.expect((x) => taggedReply(x, 't1') !== null, 'first STORE');
    assert.match(taggedReply(c.take(), 't1')!, /^OK/);
    c.write(`t2 STORE 1 +FLAGS.SILENT (${kw(1000)})\r\n`);
    await c.expect((x) => taggedReply(x, 't2') !== null, 'second STORE');
    assert.match(taggedReply(c.take(), 't2')!, /^NO \[LIMIT\]/);
    const many = Array.from({ length: MAX_KEYWORDS_PER_MESSAGE + 1 }, (_, i) => `m${i}`).join(' ');
    c.write(`t3 STORE 1 FLAGS (${many})\r\n`);
    await c.expect((x) => taggedReply(x, 't3') !== null, 'third STORE');
    assert.match(taggedReply(c.take(), 't3')!, /^NO \[LIMIT\]/);
    c.write(`t4 STORE 1 +FLAGS (${'x'.repeat(1000)})\r\n`);
    await c.expect((x) => taggedReply(x, 't4') !== null, 'fourth STORE');
    assert.match(taggedReply(c.take(), 't4')!, /^NO \[LIMIT\]/);
    // removing is never limited (keywords stored before the limits existed can be cleaned up)
    await f.t.ctx.store.storeFlags(f.account.id, f.inboxId, [f.seededUid], 'add', ['y'.repeat(1000)]);
    c.write(`t5 STORE 1 -FLAGS.SILENT (${'y'.repeat(1000)} ${many})\r\n`);
    await c.expect((x) => taggedReply(x, 't5') !== null, 'fifth STORE');
    assert.match(taggedReply(c.take(), 't5')!, /^OK/);
    const [meta] = await f.t.ctx.store.getMessages(f.account.id, f.inboxId, [f.seededUid]);
    assert.equal(meta!.flags.filter((x) => !x.startsWith('\\')).length, half);
    await f.t.ctx.store.storeFlags(f.account.id, f.inboxId, [f.seededUid], 'replace', []);
    c.destroy();
  });

  it('APPEND with too many keywords is NO [LIMIT]', async () => {
    const c = await f.imapLogin();
    const many = Array.from({ length: MAX_KEYWORDS_PER_MESSAGE + 1 }, (_, i) => `m${i}`).join(' ');
    const msg = 'Subject: x\r\n\r\nhi\r\n';
    const before = await f.inboxCount();
    c.write(`a APPEND INBOX (${many}) {${msg.length}+}\r\n${msg}\r\n`);
    await c.expect((x) => taggedReply(x, 'a') !== null, 'APPEND reply');
    assert.match(taggedReply(c.take(), 'a')!, /^NO \[LIMIT\]/);
    assert.equal(await f.inboxCount(), before);
    c.destroy();
  });

  it('path-like and foreign-looking mailbox names never reach another account', async () => {
    const bob = await f.t.addUser('bob@example.test', 'bob password 1');
    const bobInbox = (await f.t.ctx.store.getMailbox(bob.id, 'INBOX'))!;
    const c = await f.imapLogin();
    c.write('s SELECT INBOX\r\n');
    await c.expect((x) => /\r\ns OK/.test(x), 'SELECT');
    const names = ['../bob@example.test/INBOX', '/INBOX', `#${bobInbox.id}`, 'bob@example.test/INBOX', '~bob/INBOX', '..'];
    names.forEach((n, i) => c.write(`c${i} COPY 1 "${n}"\r\n`));
    await c.expect((x) => taggedReply(x, `c${names.length - 1}`) !== null, 'COPY replies');
    const t = c.take();
    names.forEach((_, i) => assert.match(taggedReply(t, `c${i}`)!, /^NO/));
    assert.equal((await f.t.ctx.store.mailboxStatus(bob.id, bobInbox.id)).messages, 0);
    c.destroy();
  });
});

describe('security: LIST pattern matching cannot be made to backtrack', () => {
  // a backtracking regex takes exponential time here; the guard is a hang guard, not a speed assertion
  it('"*a*a…*b" against a long name of "a"s answers (false), and still matches what it should', { timeout: 60_000 }, () => {
    const evil = listMatcher('*a'.repeat(40) + 'b');
    assert.equal(evil('a'.repeat(1000)), false);
    assert.equal(evil('a'.repeat(999) + 'b'), true);
    const pct = listMatcher('%a'.repeat(40) + '%b');
    assert.equal(pct('a'.repeat(1000)), false);
    assert.equal(pct('a'.repeat(500) + '/b'), false);
  });

  it('LIST with such a pattern over the wire completes', { timeout: 60_000 }, async () => {
    const f = await startFixture();
    try {
      const c = await f.imapLogin();
      c.write(`c CREATE ${'a'.repeat(200)}\r\nl LIST "" "${'*a'.repeat(30)}b"\r\n`);
      await c.expect((x) => taggedReply(x, 'l') !== null, 'LIST reply', 50_000);
      assert.match(taggedReply(c.text, 'l')!, /^OK/);
      c.destroy();
    } finally {
      await f.close();
    }
  });
});
