/**
 * Example sessions from the RFCs, replayed against the server with our data:
 * RFC 9051 §8 (sample IMAP4rev2 connection, lower-case commands), RFC 9051 §6.4.4 SEARCH,
 * RFC 4315 §3 UIDPLUS, RFC 6851 §4.4 MOVE, RFC 4731 §3.1 ESEARCH, RFC 5182 §2 SEARCHRES.
 */
import { after, before, describe, it } from 'node:test';
import { seed, startServer, transcript, PASS, USER, type ImapServer } from './harness.js';

const RFC_MSG = Buffer.from(
  'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n' +
    'From: Terry Gray <gray@cac.washington.edu>\r\n' +
    'Subject: IMAP4rev2 WG mtg summary and minutes\r\n' +
    'To: imap@cac.washington.edu\r\n' +
    'Cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n' +
    'Message-Id: <B27397-0100000@cac.washington.edu>\r\n' +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n' +
    '\r\n' +
    'Minutes of the meeting.\r\n',
);

describe('RFC example sessions', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [RFC_MSG, RFC_MSG, RFC_MSG], [['\\Seen'], ['\\Seen'], ['\\Seen']]);
  });
  after(() => server.close());

  it('RFC 9051 §8 sample connection', async () => {
    const c = await server.connect();
    const header = RFC_MSG.subarray(0, RFC_MSG.indexOf('\r\n\r\n') + 4).toString();
    await transcript(
      c,
      `S: * OK [CAPABILITY …] letterbox ready
       C: a001 login ${USER} "${PASS}"
       S: a001 OK [CAPABILITY …] Logged in
       C: a000 enable IMAP4rev2
       S: * ENABLED IMAP4rev2
       S: a000 OK ENABLE completed
       C: a002 select inbox
       S: * 3 EXISTS
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
       S: * OK [PERMANENTFLAGS …] Flags permitted
       S: * OK [UIDVALIDITY …] UIDs valid
       S: * OK [UIDNEXT 4] Predicted next UID
       S: * OK [HIGHESTMODSEQ …] Highest
       S: * OK [MAILBOXID (…)] Ok
       S: * LIST () "/" INBOX
       S: a002 OK [READ-WRITE] SELECT completed
       C: a003 fetch 2 full
       S: * 2 FETCH (FLAGS (\\Seen) INTERNALDATE "01-Feb-2024 10:00:00 +0000" RFC822.SIZE ${RFC_MSG.length} ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 25 1))
       S: a003 OK FETCH completed
       C: a004 fetch 2 body[header]
       S: * 2 FETCH (BODY[HEADER] {${Buffer.byteLength(header)}}\\r\\n${header.replace(/\r\n/g, '\\r\\n')})
       S: a004 OK FETCH completed
       C: a005 store 2 +flags \\deleted
       S: * 2 FETCH (UID 2 FLAGS (\\Seen \\Deleted))
       S: a005 OK STORE completed
       C: a006 logout
       S: * BYE …
       S: a006 OK LOGOUT completed`,
    );
  });

  it('RFC 4315 / RFC 6851 / RFC 4731 / RFC 5182 examples', async () => {
    const c = await server.login();
    await c.command('s SELECT INBOX');
    await transcript(
      c,
      `C: A003 UID COPY 1:2 Archive
       S: A003 OK [COPYUID … 1:2 1:2] COPY completed
       C: A001 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
       S: * ESEARCH (TAG "A001") COUNT 0
       S: A001 OK SEARCH completed
       C: A282 SEARCH RETURN (SAVE) SEEN
       S: A282 OK SEARCH completed
       C: A283 FETCH $ (UID)
       S: * 1 FETCH (UID 1)
       S: * 2 FETCH (UID 2)
       S: * 3 FETCH (UID 3)
       S: A283 OK FETCH completed
       C: a UID MOVE 3 Trash
       S: * OK [COPYUID … 3 1] Moved
       S: * 3 EXPUNGE
       S: a OK MOVE completed`,
    );
  });
});
