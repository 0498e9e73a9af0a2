/**
 * CREATE-SPECIAL-USE (RFC 6154 §3, §5.3) and WITHIN (RFC 5032 §4 OLDER / YOUNGER), with the
 * RFCs' own examples replayed against our data.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap CREATE-SPECIAL-USE and WITHIN', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    const store = server.t.ctx.store;
    const acct = (await store.getAccount(USER))!;
    const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
    const now = Date.now();
    // ages: 10 days, 2 days, 1 hour, 1 minute
    for (const [i, age] of [10 * 86400, 2 * 86400, 3600, 60].entries()) {
      await store.append(acct.id, inbox.id, { raw: msg(`w${i + 1}`), flags: i === 1 ? ['\\Seen'] : [], internalDate: new Date(now - age * 1000) });
    }
  });
  after(() => server.close());

  it('advertises both capabilities after login', async () => {
    const c = await server.login();
    const r = await c.command('c1 CAPABILITY');
    assert.match(r.untagged[0]!, / CREATE-SPECIAL-USE /);
    assert.match(r.untagged[0]!, / WITHIN /);
  });

  it('RFC 6154 §5.3: CREATE with USE, and USEATTR for uses this server cannot give', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: t1 CREATE "Everything" (USE (\\All))
       S: t1 NO [USEATTR] \\All is not supported here; use one of \\Sent \\Drafts \\Trash \\Junk \\Archive
       C: t2 CREATE "Old Mail" (USE (\\archive))
       S: t2 OK [MAILBOXID (…)] CREATE completed
       C: t3 LIST "" "Old Mail" RETURN (SPECIAL-USE)
       S: * LIST (\\HasNoChildren \\Archive) "/" "Old Mail"
       S: t3 OK LIST completed
       C: t4 CREATE Two (USE (\\Sent \\Drafts))
       S: t4 NO [USEATTR] Give at most one special use per mailbox
       C: t5 CREATE Bad (USE (Sent))
       S: t5 BAD Bad special-use attribute
       C: t6 LIST "" "Everything"
       S: t6 OK LIST completed`,
    );
  });

  it('RFC 5032 §4: SEARCH UNSEEN YOUNGER 259200, OLDER, combined with NOT and UID SEARCH', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: a1 SEARCH UNSEEN YOUNGER 259200
       S: * SEARCH 3 4
       S: a1 OK SEARCH completed
       C: a2 SEARCH YOUNGER 259200
       S: * SEARCH 2 3 4
       S: a2 OK SEARCH completed
       C: a3 UID SEARCH OLDER 7200
       S: * SEARCH 1 2
       S: a3 OK UID SEARCH completed
       C: a4 SEARCH NOT OLDER 600
       S: * SEARCH 4
       S: a4 OK SEARCH completed
       C: a5 SEARCH OR OLDER 500000 YOUNGER 120 RETURN (COUNT)
       S: a5 BAD …
       C: a6 SEARCH RETURN (COUNT) OR OLDER 500000 YOUNGER 120
       S: * ESEARCH (TAG "a6") COUNT 2
       S: a6 OK SEARCH completed
       C: a7 SORT (REVERSE ARRIVAL) UTF-8 YOUNGER 86400
       S: * SORT 4 3
       S: a7 OK SORT completed
       C: a8 SEARCH OLDER 0
       S: a8 BAD OLDER needs an interval of at least 1 second
       C: a9 SEARCH YOUNGER x
       S: a9 BAD …`,
    );
  });
});
