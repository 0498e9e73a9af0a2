/**
 * SELECT/EXAMINE, CREATE, DELETE, RENAME (incl. INBOX), SUBSCRIBE/UNSUBSCRIBE, LIST
 * (LIST-EXTENDED, SPECIAL-USE, CHILDREN, LIST-STATUS), LSUB, STATUS, CLOSE, UNSELECT
 * (RFC 9051 §6.3, §6.4.1-2; RFC 5258; RFC 5819; RFC 6154; RFC 3501 for rev1 forms).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap mailboxes', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('one'), msg('two'), msg('three')], [['\\Seen'], [], ['\\Deleted']]);
  });
  after(() => server.close());

  it('SELECT and EXAMINE report the mailbox (rev1 form)', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s1 SELECT inbox
       S: * 3 EXISTS
       S: * 3 RECENT
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
       S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted
       S: * OK [UIDVALIDITY …] UIDs valid
       S: * OK [UIDNEXT 4] Predicted next UID
       S: * OK [HIGHESTMODSEQ …] Highest
       S: * OK [MAILBOXID (…)] Ok
       S: * OK [UNSEEN 2] First unseen
       S: s1 OK [READ-WRITE] SELECT completed
       C: s2 EXAMINE INBOX
       S: * OK [CLOSED] Previous mailbox closed
       S: * 3 EXISTS
       S: * 0 RECENT
       S: * FLAGS (…)
       S: * OK [PERMANENTFLAGS ()] Flags permitted
       S: * OK [UIDVALIDITY …] UIDs valid
       S: * OK [UIDNEXT 4] Predicted next UID
       S: * OK [HIGHESTMODSEQ …] Highest
       S: * OK [MAILBOXID (…)] Ok
       S: * OK [UNSEEN 2] First unseen
       S: s2 OK [READ-ONLY] EXAMINE completed
       C: s3 SELECT nosuch
       S: * OK [CLOSED] Previous mailbox closed
       S: s3 NO [NONEXISTENT] Mailbox "nosuch" does not exist
       C: s4 FETCH 1 FLAGS
       S: s4 BAD FETCH is not valid in this state (authenticated)`,
    );
  });

  it('SELECT in IMAP4rev2 sends a LIST response instead of RECENT/UNSEEN', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: e1 ENABLE IMAP4rev2
       S: * ENABLED IMAP4rev2
       S: e1 OK ENABLE completed
       C: s1 SELECT INBOX
       S: * 3 EXISTS
       S: * FLAGS (…)
       S: * OK [PERMANENTFLAGS …] Flags permitted
       S: * OK [UIDVALIDITY …] UIDs valid
       S: * OK [UIDNEXT 4] Predicted next UID
       S: * OK [HIGHESTMODSEQ …] Highest
       S: * OK [MAILBOXID (…)] Ok
       S: * LIST () "/" INBOX
       S: s1 OK [READ-WRITE] SELECT completed
       C: s2 UNSELECT
       S: s2 OK UNSELECT completed
       C: s3 CLOSE
       S: s3 BAD CLOSE is not valid in this state (authenticated)`,
    );
  });

  it('CREATE, RENAME, DELETE, SUBSCRIBE, LIST, LSUB', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: c1 CREATE Projects/2024/
       S: c1 OK [MAILBOXID (…)] CREATE completed
       C: c2 CREATE Projects/2024
       S: c2 NO [ALREADYEXISTS] …
       C: c3 CREATE INBOX
       S: c3 NO [ALREADYEXISTS] INBOX always exists
       C: l1 LIST "" %
       S: * LIST (\\HasNoChildren) "/" INBOX
       S: * LIST (\\HasNoChildren \\Archive) "/" Archive
       S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
       S: * LIST (\\HasNoChildren \\Junk) "/" Junk
       S: * LIST (\\HasChildren) "/" Projects
       S: * LIST (\\HasNoChildren \\Sent) "/" Sent
       S: * LIST (\\HasNoChildren \\Trash) "/" Trash
       S: l1 OK LIST completed
       C: l2 LIST "" ""
       S: * LIST (\\Noselect) "/" ""
       S: l2 OK LIST completed
       C: l3 LIST "Projects/" *
       S: * LIST (\\HasNoChildren) "/" Projects/2024
       S: l3 OK LIST completed
       C: l4 LIST (SPECIAL-USE) "" *
       S: * LIST (\\HasNoChildren \\Archive) "/" Archive
       S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
       S: * LIST (\\HasNoChildren \\Junk) "/" Junk
       S: * LIST (\\HasNoChildren \\Sent) "/" Sent
       S: * LIST (\\HasNoChildren \\Trash) "/" Trash
       S: l4 OK LIST completed
       C: r1 RENAME Projects/2024 Archive2024
       S: r1 OK RENAME completed
       C: r2 RENAME nosuch other
       S: r2 NO [NONEXISTENT] …
       C: u1 SUBSCRIBE Archive2024
       S: u1 OK SUBSCRIBE completed
       C: l5 LIST (SUBSCRIBED) "" "Archive2*"
       S: * LIST (\\HasNoChildren \\Subscribed) "/" Archive2024
       S: l5 OK LIST completed
       C: l6 LSUB "" Archive2024
       S: * LSUB () "/" Archive2024
       S: l6 OK LSUB completed
       C: u2 UNSUBSCRIBE Archive2024
       S: u2 OK UNSUBSCRIBE completed
       C: l7 LSUB "" Archive2024
       S: l7 OK LSUB completed
       C: d1 DELETE Archive2024
       S: d1 OK DELETE completed
       C: d2 DELETE Archive2024
       S: d2 NO [NONEXISTENT] …
       C: d3 DELETE INBOX
       S: d3 NO [CANNOT] INBOX cannot be deleted`,
    );
  });

  it('STATUS and LIST-STATUS', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: t1 STATUS INBOX (MESSAGES UIDNEXT UNSEEN DELETED SIZE)
       S: * STATUS INBOX (MESSAGES 3 UIDNEXT 4 UNSEEN 2 DELETED 1 SIZE …)
       S: t1 OK STATUS completed
       C: t2 STATUS INBOX (BOGUS)
       S: t2 BAD Unknown status item "BOGUS"
       C: t3 STATUS Nope (MESSAGES)
       S: t3 NO [NONEXISTENT] …
       C: t4 LIST "" INBOX RETURN (STATUS (MESSAGES UNSEEN))
       S: * LIST (\\HasNoChildren) "/" INBOX
       S: * STATUS INBOX (MESSAGES 3 UNSEEN 2)
       S: t4 OK LIST completed`,
    );
  });

  it('mailbox names travel as modified UTF-7 for rev1 and UTF-8 after ENABLE UTF8=ACCEPT', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: c1 CREATE "Entw&APw-rfe"
       S: c1 OK [MAILBOXID (…)] CREATE completed
       C: l1 LIST "" "Entw*"
       S: * LIST (\\HasNoChildren) "/" Entw&APw-rfe
       S: l1 OK LIST completed
       C: e1 ENABLE UTF8=ACCEPT
       S: * ENABLED UTF8=ACCEPT
       S: e1 OK ENABLE completed
       C: l2 LIST "" "Entw*"
       S: * LIST (\\HasNoChildren) "/" "Entwürfe"
       S: l2 OK LIST completed
       C: d1 DELETE "Entwürfe"
       S: d1 OK DELETE completed`,
    );
  });

  it('CLOSE expunges deleted messages silently', async () => {
    const s2 = await startServer();
    try {
      await seed(s2, 'INBOX', [msg('a'), msg('b')], [['\\Deleted'], []]);
      const c = await s2.login();
      await c.command('s1 SELECT INBOX');
      await transcript(
        c,
        `C: x1 CLOSE
         S: x1 OK CLOSE completed
         C: x2 STATUS INBOX (MESSAGES)
         S: * STATUS INBOX (MESSAGES 1)
         S: x2 OK STATUS completed`,
      );
    } finally {
      await s2.close();
    }
  });

  it('RENAME INBOX moves its messages into a new mailbox', async () => {
    const s2 = await startServer();
    try {
      await seed(s2, 'INBOX', [msg('a'), msg('b')]);
      const c = await s2.login();
      await transcript(
        c,
        `C: r1 RENAME INBOX Old
         S: r1 OK RENAME completed
         C: t1 STATUS INBOX (MESSAGES)
         S: * STATUS INBOX (MESSAGES 0)
         S: t1 OK STATUS completed
         C: t2 STATUS Old (MESSAGES)
         S: * STATUS Old (MESSAGES 2)
         S: t2 OK STATUS completed`,
      );
    } finally {
      await s2.close();
    }
  });
  void assert;
});
