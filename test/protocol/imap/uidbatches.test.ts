/**
 * UIDBATCHES (RFC 10022): batches of the selected mailbox by UID, newest first, over a
 * mailbox with gaps in its UIDs (so sequence numbers and UIDs differ), with a batch range,
 * past the last batch, the minimum size (NO [TOOFEW]) and bad syntax; under UIDONLY too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from './harness.js';

describe('imap UIDBATCHES', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    const c = await server.login();
    await transcript(c, `C: c CREATE Batches\nS: c OK … CREATE completed`);
    c.destroy();
    // 1,201 messages, UIDs 1..1201; 1, 2 and 600 are deleted and expunged below: 1,198 remain,
    // UIDs 3..599 and 601..1201
    const msgs = Array.from({ length: 1201 }, (_, i) => msg(`b${i + 1}`));
    const flags = msgs.map((_, i) => ([1, 2, 600].includes(i + 1) ? ['\\Deleted'] : []));
    const uids = await seed(server, 'Batches', msgs, flags);
    assert.equal(uids.at(-1), 1201);
  });
  after(() => server.close());

  it('is announced, needs a selected mailbox, and splits it newest first by UID', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: a CAPABILITY
       S: * CAPABILITY …UIDBATCHES…
       S: a OK CAPABILITY completed
       C: n UIDBATCHES 500
       S: n BAD …
       C: s SELECT Batches
       S*: s OK [READ-WRITE] SELECT completed
       C: x EXPUNGE
       S*: x OK EXPUNGE completed
       C: b1 UIDBATCHES 500
       S: * UIDBATCHES (TAG "b1") 1201:702,701:201,200:3
       S: b1 OK UIDBATCHES completed
       C: b2 UIDBATCHES 500 2:3
       S: * UIDBATCHES (TAG "b2") 701:201,200:3
       S: b2 OK UIDBATCHES completed
       C: b3 UIDBATCHES 500 3:9
       S: * UIDBATCHES (TAG "b3") 200:3
       S: b3 OK UIDBATCHES completed
       C: b4 UIDBATCHES 500 4:4
       S: * UIDBATCHES (TAG "b4")
       S: b4 OK UIDBATCHES completed
       C: b5 UIDBATCHES 1197
       S: * UIDBATCHES (TAG "b5") 1201:4,3
       S: b5 OK UIDBATCHES completed
       C: b6 UIDBATCHES 5000
       S: * UIDBATCHES (TAG "b6") 1201:3
       S: b6 OK UIDBATCHES completed`,
    );
    c.destroy();
  });

  it('refuses a batch size under 500 with [TOOFEW] and bad syntax with BAD', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s SELECT Batches
       S*: s OK [READ-WRITE] SELECT completed
       C: t1 UIDBATCHES 499
       S: t1 NO [TOOFEW] UIDBATCHES needs at least 500 messages per batch
       C: t2 UIDBATCHES 500 3:2
       S: t2 BAD …backwards…
       C: t3 UIDBATCHES 0
       S: t3 BAD …
       C: t4 UIDBATCHES
       S: t4 BAD …
       C: t5 UIDBATCHES 500 0:2
       S: t5 BAD …
       C: t6 UIDBATCHES 500 1:2 extra
       S: t6 BAD …
       C: t7 UIDBATCHES 500 *
       S: t7 BAD …`,
    );
    assert.equal(c.closed, false);
    c.destroy();
  });

  it('works under UIDONLY, where sequence numbers are not available', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: e ENABLE UIDONLY
       S: * ENABLED UIDONLY
       S: e OK ENABLE completed
       C: s EXAMINE Batches
       S*: s OK [READ-ONLY] EXAMINE completed
       C: b UIDBATCHES 600 2:2
       S: * UIDBATCHES (TAG "b") 601:3
       S: b OK UIDBATCHES completed`,
    );
    c.destroy();
  });
});
