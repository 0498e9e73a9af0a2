/**
 * CONDSTORE / QRESYNC (RFC 7162): ENABLE QRESYNC, SELECT with QRESYNC parameters
 * (VANISHED (EARLIER) and changed FLAGS), UID FETCH (CHANGEDSINCE … VANISHED), VANISHED
 * instead of EXPUNGE, CHANGEDSINCE, SEARCH MODSEQ, STATUS HIGHESTMODSEQ.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap CONDSTORE and QRESYNC', () => {
  let server: ImapServer;
  beforeEach(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('one'), msg('two'), msg('three'), msg('four')]);
  });
  afterEach(() => server.close());

  it('resynchronises a mailbox after changes made while the client was away', async () => {
    const store = server.t.ctx.store;
    const acct = (await store.getAccount(USER))!;
    const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
    const before = (await store.mailboxStatus(acct.id, inbox.id)).highestModseq;
    await store.storeFlags(acct.id, inbox.id, [2], 'add', ['\\Flagged']);
    await store.storeFlags(acct.id, inbox.id, [3], 'add', ['\\Deleted']);
    await store.expunge(acct.id, inbox.id);
    const c = await server.login();
    await transcript(
      c,
      `C: q1 SELECT INBOX (QRESYNC (${inbox.uidValidity} ${before}))
       S: q1 BAD ENABLE QRESYNC first (RFC 7162 §3.2.5)
       C: e1 ENABLE QRESYNC
       S: * ENABLED QRESYNC
       S: e1 OK ENABLE completed
       C: q2 SELECT INBOX (QRESYNC (${inbox.uidValidity} ${before} 1:4))
       S: * 3 EXISTS
       S*: * OK [HIGHESTMODSEQ …] Highest
       S: * OK [MAILBOXID (…)] Ok
       S: * OK [UNSEEN 1] First unseen
       S: * VANISHED (EARLIER) 3
       S: * 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (…))
       S: q2 OK [READ-WRITE] SELECT completed
       C: f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${before} VANISHED)
       S: * VANISHED (EARLIER) 3
       S: * 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ (…))
       S: f1 OK UID FETCH completed
       C: f2 FETCH 1:* (UID) (CHANGEDSINCE ${before})
       S: * 2 FETCH (UID 2 MODSEQ (…))
       S: f2 OK FETCH completed
       C: s1 SEARCH MODSEQ ${before + 1}
       S: * SEARCH 2 (MODSEQ …)
       S: s1 OK SEARCH completed
       C: t1 STORE 1 +FLAGS.SILENT (\\Deleted)
       S: * 1 FETCH (UID 1 MODSEQ (…))
       S: t1 OK STORE completed
       C: x1 EXPUNGE
       S: * VANISHED 1
       S: x1 OK EXPUNGE completed
       C: t2 STATUS Archive (HIGHESTMODSEQ)
       S: * STATUS Archive (HIGHESTMODSEQ …)
       S: t2 OK STATUS completed`,
    );
  });

  it('reports another session\'s expunge as VANISHED', async () => {
    const a = await server.login();
    const b = await server.login();
    await a.command('e ENABLE QRESYNC');
    await a.command('s SELECT INBOX');
    await b.command('s SELECT INBOX');
    await b.command('t STORE 2:3 +FLAGS.SILENT (\\Deleted)');
    await b.command('x EXPUNGE');
    const r = await a.command('n NOOP');
    assert.ok(r.untagged.includes('* VANISHED 2:3'), r.untagged.join('|'));
    assert.ok(!r.untagged.some((l) => /EXPUNGE/.test(l)));
  });

  it('seq-match-data (RFC 7162 §3.2.5.2) leaves out expunges the client already knew of', async () => {
    const store = server.t.ctx.store;
    const acct = (await store.getAccount(USER))!;
    const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
    const old = (await store.mailboxStatus(acct.id, inbox.id)).highestModseq;
    // the client saw UID 2 go (its seq 2 is UID 3 now) but still has the old MODSEQ
    await store.storeFlags(acct.id, inbox.id, [2], 'add', ['\\Deleted']);
    await store.expunge(acct.id, inbox.id);
    await store.storeFlags(acct.id, inbox.id, [4], 'add', ['\\Deleted']);
    await store.expunge(acct.id, inbox.id);
    const c = await server.login();
    await c.command('e ENABLE QRESYNC');
    let r = await c.command(`q1 SELECT INBOX (QRESYNC (${inbox.uidValidity} ${old} 1:4 (1:2 1,3)))`);
    assert.ok(r.untagged.includes('* VANISHED (EARLIER) 4'), r.untagged.join('|'));
    // pairs that no longer hold are ignored: both expunges are reported
    r = await c.command(`q2 EXAMINE INBOX (QRESYNC (${inbox.uidValidity} ${old} 1:4 (2 2)))`);
    assert.ok(r.untagged.includes('* VANISHED (EARLIER) 2,4'), r.untagged.join('|'));
  });
});
