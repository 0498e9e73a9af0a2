/**
 * STORE (RFC 9051 §6.4.6; CONDSTORE RFC 7162 §3.1.3), SEARCH (RFC 9051 §6.4.4; ESEARCH
 * RFC 4731; SEARCHRES RFC 5182), COPY/MOVE (RFC 9051 §6.4.7; RFC 6851; COPYUID RFC 4315),
 * EXPUNGE / UID EXPUNGE (RFC 9051 §6.4.3; RFC 4315 §2.1).
 */
import { after, beforeEach, afterEach, describe, it } from 'node:test';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap STORE, SEARCH, COPY, MOVE, EXPUNGE', () => {
  let server: ImapServer;
  beforeEach(async () => {
    server = await startServer();
    await seed(
      server,
      'INBOX',
      [
        msg('alpha', 'The quick brown fox.\r\n'),
        msg('beta', 'Lazy dog sleeps.\r\n', 'Cc: carol@example.test\r\n'),
        msg('gamma', 'Grüße aus Köln.\r\n', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n'),
        msg('delta', 'x'.repeat(3000) + '\r\n'),
      ],
      [['\\Seen'], ['\\Flagged'], [], ['\\Seen', '\\Deleted']],
    );
  });
  afterEach(() => server.close());
  after(() => undefined);

  it('STORE +FLAGS, -FLAGS, FLAGS, .SILENT', async () => {
    const c = await server.login();
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: t1 STORE 1:2 +FLAGS (\\Answered $Work)
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)
       S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted
       S: * 1 FETCH (FLAGS (\\Seen \\Answered $Work \\Recent))
       S: * 2 FETCH (FLAGS (\\Flagged \\Answered $Work \\Recent))
       S: t1 OK STORE completed
       C: t2 STORE 1 -FLAGS.SILENT ($Work)
       S: t2 OK STORE completed
       C: t3 FETCH 1 FLAGS
       S: * 1 FETCH (FLAGS (\\Seen \\Answered \\Recent))
       S: t3 OK FETCH completed
       C: t4 UID STORE 2 FLAGS (\\Draft)
       S: * 2 FETCH (UID 2 FLAGS (\\Draft \\Recent))
       S: t4 OK UID STORE completed
       C: t5 STORE 1 +FLAGS \\Flagged
       S: * 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Recent))
       S: t5 OK STORE completed
       C: t6 STORE 1 +FLAGS (\\Seen)
       S: * 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Recent))
       S: t6 OK STORE completed
       C: t7 STORE 1 PLUSFLAGS (\\Seen)
       S: t7 BAD …`,
    );
  });

  it('STORE with UNCHANGEDSINCE reports MODIFIED', async () => {
    const c = await server.login();
    await c.command('e ENABLE CONDSTORE');
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: t1 STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)
       S: t1 OK [MODIFIED 1] Conditional STORE failed for some messages
       C: t2 FETCH 1 (MODSEQ)
       S: * 1 FETCH (MODSEQ (…))
       S: t2 OK FETCH completed`,
    );
  });

  it('SEARCH keys, rev1 SEARCH responses and ESEARCH', async () => {
    const c = await server.login();
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: q1 SEARCH SEEN
       S: * SEARCH 1 4
       S: q1 OK SEARCH completed
       C: q2 SEARCH UNSEEN NOT DELETED
       S: * SEARCH 2 3
       S: q2 OK SEARCH completed
       C: q3 SEARCH OR FLAGGED DELETED
       S: * SEARCH 2 4
       S: q3 OK SEARCH completed
       C: q4 SEARCH SUBJECT gamma
       S: * SEARCH 3
       S: q4 OK SEARCH completed
       C: q5 SEARCH CHARSET UTF-8 BODY {7+}\\r\\ngrüße
       S: * SEARCH 3
       S: q5 OK SEARCH completed
       C: q6 SEARCH LARGER 1000
       S: * SEARCH 4
       S: q6 OK SEARCH completed
       C: q7 UID SEARCH 2:3 CC carol
       S: * SEARCH 2
       S: q7 OK UID SEARCH completed
       C: q8 SEARCH HEADER Message-ID <alpha@example.test>
       S: * SEARCH 1
       S: q8 OK SEARCH completed
       C: q9 SEARCH RETURN (MIN MAX COUNT ALL) ALL
       S: * ESEARCH (TAG "q9") MIN 1 MAX 4 ALL 1:4 COUNT 4
       S: q9 OK SEARCH completed
       C: q10 SEARCH RETURN (SAVE) FLAGGED
       S: q10 OK SEARCH completed
       C: q11 FETCH $ (UID)
       S: * 2 FETCH (UID 2)
       S: q11 OK FETCH completed
       C: q12 SEARCH CHARSET KOI8-R ALL
       S: q12 NO [BADCHARSET (UTF-8 US-ASCII)] …
       C: q13 SEARCH FROBNICATE
       S: q13 BAD Unknown search key "FROBNICATE"
       C: q14 SEARCH SINCE 1-Jan-2024 BEFORE 1-Mar-2024 TO alice
       S: * SEARCH 1 2 3 4
       S: q14 OK SEARCH completed
       C: q15 SEARCH RECENT
       S: * SEARCH 1 2 3 4
       S: q15 OK SEARCH completed
       C: q16 SEARCH SENTON 7-Feb-1994 TEXT brown
       S: * SEARCH 1
       S: q16 OK SEARCH completed`,
    );
  });

  it('SEARCH answers ESEARCH in IMAP4rev2', async () => {
    const c = await server.login();
    await c.command('e ENABLE IMAP4rev2');
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: q1 UID SEARCH SEEN
       S: * ESEARCH (TAG "q1") UID ALL 1,4
       S: q1 OK UID SEARCH completed
       C: q2 SEARCH KEYWORD $Nothing
       S: * ESEARCH (TAG "q2")
       S: q2 OK SEARCH completed`,
    );
  });

  it('COPY, MOVE with COPYUID; TRYCREATE', async () => {
    const c = await server.login();
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: m1 COPY 1:2 Archive
       S: m1 OK [COPYUID … 1:2 1:2] COPY completed
       C: m2 COPY 1 Nowhere
       S: m2 NO [TRYCREATE] …
       C: m3 UID MOVE 2:3 Trash
       S: * OK [COPYUID … 2:3 1:2] Moved
       S: * 2 EXPUNGE
       S: * 2 EXPUNGE
       S: m3 OK MOVE completed
       C: m4 STATUS Trash (MESSAGES)
       S: * STATUS Trash (MESSAGES 2)
       S: m4 OK STATUS completed
       C: m5 FETCH 2 (UID)
       S: * 2 FETCH (UID 4)
       S: m5 OK FETCH completed
       C: m6 UID COPY 4 Archive
       S: m6 OK [COPYUID … 4 3] COPY completed
       C: m7 UID COPY 99 Archive
       S: m7 OK COPY completed, no messages
       C: m8 CHECK
       S: m8 OK CHECK completed`,
    );
  });

  it('EXPUNGE and UID EXPUNGE', async () => {
    const c = await server.login();
    await c.command('s1 SELECT INBOX');
    await transcript(
      c,
      `C: x1 STORE 1 +FLAGS.SILENT (\\Deleted)
       S: x1 OK STORE completed
       C: x2 UID EXPUNGE 4
       S: * 4 EXPUNGE
       S: x2 OK UID EXPUNGE completed
       C: x3 EXPUNGE
       S: * 1 EXPUNGE
       S: x3 OK EXPUNGE completed
       C: x4 UID SEARCH ALL
       S: * SEARCH 2 3
       S: x4 OK UID SEARCH completed
       C: x5 EXAMINE INBOX
       S*: x5 OK [READ-ONLY] EXAMINE completed
       C: x6 EXPUNGE
       S: x6 NO [READ-ONLY] Mailbox is read-only
       C: x7 STORE 1 +FLAGS (\\Seen)
       S: x7 NO [READ-ONLY] …`,
    );
  });
});
