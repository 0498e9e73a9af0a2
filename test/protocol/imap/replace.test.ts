/** REPLACE / UID REPLACE (RFC 8508), after the RFC's own example (§3.3) and the error cases. */
import { after, before, describe, it } from 'node:test';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap REPLACE', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'Drafts', [msg('d1'), msg('d2'), msg('d3'), msg('d4')]);
  });
  after(() => server.close());

  it('stores the new version, announces its APPENDUID, then expunges the old one', async () => {
    const c = await server.login();
    const m = 'Subject: draft v2\r\n\r\nsecond version\r\n';
    await transcript(
      c,
      `C: s SELECT Drafts
       S*: s OK [READ-WRITE] SELECT completed
       C: A003 REPLACE 4 Drafts (\\Seen \\Draft) {${m.length}}
       S: + Ready for literal data
       C: ${m.replace(/\r\n/g, '\\r\\n')}
       S: * OK [APPENDUID … 5] Replacement message stored
       S: * 4 EXPUNGE
       S: * 4 EXISTS
       S: * 4 RECENT
       S: A003 OK REPLACE completed
       C: u1 UID REPLACE 5 Archive {${m.length}+}\\r\\n${m.replace(/\r\n/g, '\\r\\n')}
       S: * OK [APPENDUID … 1] Replacement message stored
       S: * 4 EXPUNGE
       S: u1 OK UID REPLACE completed
       C: f1 FETCH 1:* (UID)
       S: * 1 FETCH (UID 1)
       S: * 2 FETCH (UID 2)
       S: * 3 FETCH (UID 3)
       S: f1 OK FETCH completed
       C: e1 REPLACE 9 Drafts {1+}\\r\\nx
       S: e1 BAD Sequence number out of range (see EXISTS)
       C: e2 UID REPLACE 99 Drafts {1+}\\r\\nx
       S: e2 NO [NONEXISTENT] No message with UID 99
       C: e3 REPLACE 1 Nowhere {1+}\\r\\nx
       S: e3 NO [TRYCREATE] Mailbox "Nowhere" does not exist
       C: e4 REPLACE 1:2 Drafts {1+}\\r\\nx
       S: e4 BAD REPLACE takes one message number`,
    );
  });
});
