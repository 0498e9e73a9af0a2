/** SEARCH=FUZZY (RFC 6203): FUZZY keys match every word in any order; RETURN (RELEVANCY) scores them. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, USER, type ImapServer } from './harness.js';

describe('SEARCH=FUZZY (RFC 6203)', () => {
  let srv: ImapServer;
  before(async () => {
    srv = await startServer();
    const a = (await srv.t.ctx.store.getAccount(USER))!;
    const inbox = (await srv.t.ctx.store.getMailbox(a.id, 'INBOX'))!.id;
    const msg = (subject: string, body: string) => Buffer.from(`From: bob@example.test\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
    await srv.t.ctx.store.append(a.id, inbox, { raw: msg('IMAP break', 'the IMAP server is broken') });
    await srv.t.ctx.store.append(a.id, inbox, { raw: msg('breaking IMAP', 'imap only') });
    await srv.t.ctx.store.append(a.id, inbox, { raw: msg('lunch', 'a break for lunch') });
  });
  after(() => srv.close());

  it('is advertised; FUZZY widens a key, RELEVANCY ranks literal matches first, and needs a FUZZY key', async () => {
    const c = await srv.login();
    const caps = await c.command('C CAPABILITY');
    assert.match(caps.untagged.join(' '), / SEARCH=FUZZY/);
    assert.match((await c.command('S SELECT INBOX')).tagged, /^S OK/);
    let r = await c.command('F1 UID SEARCH SUBJECT "IMAP break"');
    assert.deepEqual(r.untagged, ['* SEARCH 1']);
    r = await c.command('F2 UID SEARCH FUZZY SUBJECT "IMAP break"');
    assert.deepEqual(r.untagged, ['* SEARCH 1 2']);
    r = await c.command('F3 UID SEARCH RETURN (ALL RELEVANCY) FUZZY (SUBJECT "IMAP break") NOT SUBJECT lunch');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "F3") UID ALL 1:2 RELEVANCY (100 50)']);
    r = await c.command('F4 SEARCH RETURN (COUNT RELEVANCY) FUZZY TEXT "break lunch"');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "F4") COUNT 1 RELEVANCY (50)']);
    r = await c.command('F5 SEARCH RETURN (RELEVANCY) SUBJECT lunch');
    assert.match(r.tagged, /^F5 BAD .*FUZZY/);
  });
});
