/** SAVEDATE (RFC 8514): FETCH SAVEDATE, SEARCH SAVEDBEFORE / SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap SAVEDATE', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('a'), msg('b')]);
  });
  after(() => server.close());

  it('is the time a message was saved into the mailbox, and searchable by day', async () => {
    const c = await server.login();
    const today = new Date().toISOString().slice(0, 10);
    const [y, m, d] = today.split('-').map(Number) as [number, number, number];
    const imapDay = (t: Date) => `${t.getUTCDate()}-${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][t.getUTCMonth()]}-${t.getUTCFullYear()}`;
    const todayImap = imapDay(new Date(Date.UTC(y, m - 1, d)));
    const tomorrow = imapDay(new Date(Date.UTC(y, m - 1, d + 1)));
    await transcript(
      c,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: f1 FETCH 1:2 (INTERNALDATE SAVEDATE)
       S: * 1 FETCH (INTERNALDATE "01-Feb-2024 10:00:00 +0000" SAVEDATE "…")
       S: * 2 FETCH (INTERNALDATE "01-Feb-2024 10:00:00 +0000" SAVEDATE "…")
       S: f1 OK FETCH completed
       C: q1 SEARCH SAVEDON ${todayImap}
       S: * SEARCH 1 2
       S: q1 OK SEARCH completed
       C: q2 SEARCH SAVEDBEFORE ${todayImap}
       S: * SEARCH
       S: q2 OK SEARCH completed
       C: q3 UID SEARCH SAVEDSINCE ${tomorrow}
       S: * SEARCH
       S: q3 OK UID SEARCH completed
       C: q4 SEARCH SAVEDATESUPPORTED OR SAVEDSINCE ${todayImap} SUBJECT b
       S: * SEARCH 1 2
       S: q4 OK SEARCH completed
       C: q5 SORT (ARRIVAL) UTF-8 SAVEDON ${todayImap} SUBJECT b
       S: * SORT 2
       S: q5 OK SORT completed`,
    );
    const r = await c.command('f2 FETCH 1 SAVEDATE');
    const saved = /SAVEDATE "([^"]+)"/.exec(r.untagged[0]!)![1]!;
    // the save date is now, not the message's INTERNALDATE
    assert.ok(Math.abs(Date.parse(saved.replace(/^(\d+)-(\w+)-(\d+)/, '$1 $2 $3')) - Date.now()) < 5 * 60_000, saved);
  });
});
