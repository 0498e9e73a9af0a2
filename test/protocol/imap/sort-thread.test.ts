/**
 * SORT, ESORT, PARTIAL and THREAD over a socket (RFC 5256 §4 command forms, RFC 5267 §3,
 * RFC 9394, RFC 5957), on five messages whose keys differ on purpose.
 */
import { after, before, describe, it } from 'node:test';
import { seed, startServer, transcript, type ImapServer } from './harness.js';

function mail(n: number, subject: string, date: string, from: string, extra = ''): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: Team <team@example.test>\r\nSubject: ${subject}\r\nDate: ${date}\r\nMessage-ID: <m${n}@example.test>\r\n${extra}\r\nbody ${n}\r\n`,
  );
}

describe('imap SORT / THREAD', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [
      mail(1, 'Lunch', 'Thu, 1 Feb 2024 10:00:00 +0000', 'Carol <carol@example.test>'),
      mail(2, 'Re: Lunch', 'Fri, 2 Feb 2024 10:00:00 +0000', 'Bob <bob@example.test>', 'In-Reply-To: <m1@example.test>\r\nReferences: <m1@example.test>\r\n'),
      mail(3, 'Budget', 'Sat, 3 Feb 2024 10:00:00 +0000', 'alice@example.test'),
      mail(4, 'Re: Budget', 'Mon, 1 Jan 2024 10:00:00 +0000', 'Dave <dave@example.test>', 'References: <m3@example.test>\r\n'),
      mail(5, 'lunch', 'Mon, 5 Feb 2024 10:00:00 +0000', 'Eve <eve@example.test>'),
    ]);
  });
  after(() => server.close());

  it('advertises the capabilities', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: c CAPABILITY
       S: * CAPABILITY … SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS ESORT PARTIAL …
       S: c OK CAPABILITY completed`,
    );
  });

  it('SORT by each key, REVERSE, CHARSET, search criteria, errors', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: a1 SORT (SUBJECT REVERSE DATE) UTF-8 ALL
       S: * SORT 3 4 5 2 1
       S: a1 OK SORT completed
       C: a2 SORT (DATE) US-ASCII ALL
       S: * SORT 4 1 2 3 5
       S: a2 OK SORT completed
       C: a3 SORT (FROM) UTF-8 ALL
       S: * SORT 3 2 1 4 5
       S: a3 OK SORT completed
       C: a4 SORT (DISPLAYFROM) UTF-8 ALL
       S: * SORT 3 2 1 4 5
       S: a4 OK SORT completed
       C: a5 SORT (ARRIVAL) UTF-8 ALL
       S: * SORT 1 2 3 4 5
       S: a5 OK SORT completed
       C: a6 UID SORT (REVERSE SIZE) UTF-8 SUBJECT lunch
       S: * SORT 2 1 5
       S: a6 OK UID SORT completed
       C: a7 SORT (SUBJECT) US-ASCII TEXT "not in mailbox"
       S: * SORT
       S: a7 OK SORT completed
       C: a8 SORT (SUBJECT) X-UNKNOWN ALL
       S: a8 NO [BADCHARSET (UTF-8 US-ASCII)] Charset X-UNKNOWN is not supported
       C: a9 SORT (BOGUS) UTF-8 ALL
       S: a9 BAD Unknown sort key "BOGUS"
       C: a10 SORT (SUBJECT) ALL
       S: a10 BAD Missing search criteria
       C: a11 SORT () UTF-8 ALL
       S: a11 BAD SORT needs at least one sort criterion`,
    );
  });

  it('ESORT (RFC 5267 §3) and PARTIAL (RFC 9394) for SORT and SEARCH', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: e1 SORT RETURN (MIN MAX ALL COUNT) (DATE) UTF-8 ALL
       S: * ESEARCH (TAG "e1") MIN 4 MAX 5 ALL 4,1:3,5 COUNT 5
       S: e1 OK SORT completed
       C: e2 UID SORT RETURN () (SUBJECT) UTF-8 ALL
       S: * ESEARCH (TAG "e2") UID ALL 3:4,1:2,5
       S: e2 OK UID SORT completed
       C: e3 SORT RETURN (PARTIAL 1:2) (DATE) UTF-8 ALL
       S: * ESEARCH (TAG "e3") PARTIAL (1:2 4,1)
       S: e3 OK SORT completed
       C: e4 SEARCH RETURN (PARTIAL -1:-2) ALL
       S: * ESEARCH (TAG "e4") PARTIAL (-1:-2 4:5)
       S: e4 OK SEARCH completed
       C: e5 SEARCH RETURN (COUNT PARTIAL 10:20) ALL
       S: * ESEARCH (TAG "e5") COUNT 5 PARTIAL (10:20 NIL)
       S: e5 OK SEARCH completed
       C: e6 SEARCH RETURN (PARTIAL 0:2) ALL
       S: e6 BAD PARTIAL needs a range like 1:100 or -1:-100`,
    );
  });

  it('THREAD ORDEREDSUBJECT, REFERENCES, REFS', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: t1 THREAD ORDEREDSUBJECT UTF-8 ALL
       S: * THREAD (4 3)(1 (2)(5))
       S: t1 OK THREAD completed
       C: t2 THREAD REFERENCES UTF-8 ALL
       S: * THREAD ((1 2)(5))(3 4)
       S: t2 OK THREAD completed
       C: t3 UID THREAD REFS UTF-8 ALL
       S: * THREAD (1 2)(3 4)(5)
       S: t3 OK UID THREAD completed
       C: t4 THREAD REFERENCES UTF-8 FROM bob
       S: * THREAD (2)
       S: t4 OK THREAD completed
       C: t5 THREAD REFERENCES UTF-8 TEXT "not in mailbox"
       S: * THREAD
       S: t5 OK THREAD completed
       C: t6 THREAD BOGUS UTF-8 ALL
       S: t6 BAD Unsupported threading algorithm "BOGUS"`,
    );
  });
});
