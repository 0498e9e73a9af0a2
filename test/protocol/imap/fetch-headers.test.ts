/**
 * FETCH of header sections (BODY[HEADER.FIELDS (...)], BODY[HEADER], RFC822.HEADER,
 * BINARY[HEADER]) from the store's header blocks (getHeaders, src/store/summary-types.ts)
 * gives exactly the bytes cut from the whole message: the same FETCHes on a server whose
 * store answers getHeaders and one made to read every body (getHeaders taken away), on
 * every backend, with the bodies left unread on the first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mimeFixtures, msg, seed, startServer, type ImapServer } from './harness.js';
import { defaultTestBackend } from '../../helpers/context.js';

function messages(): Buffer[] {
  const out = mimeFixtures();
  out.push(msg('plain', 'x'.repeat(100_000) + '\r\n'));
  // no body: the header block is the whole message
  out.push(Buffer.from('Subject: no body\r\nFrom: a@example.test\r\n'));
  // NUL in a header (sent as 0x80 in a literal)
  out.push(Buffer.from('Subject: nul \u0000 here\r\nX-Folded: one\r\n two\r\n\r\nbody\r\n', 'latin1'));
  return out;
}

const FETCHES = [
  'FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])',
  'FETCH 1:* (BODY.PEEK[HEADER] ENVELOPE BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT DATE)]<4.30>)',
  'UID FETCH 1:* (RFC822.HEADER BINARY.PEEK[HEADER] BINARY.SIZE[HEADER.FIELDS (X-FOLDED SUBJECT)] BODYSTRUCTURE)',
  // not PEEK: sets \Seen, so FLAGS come along
  'FETCH 2:4 (BODY[HEADER.FIELDS (SUBJECT)])',
  // the same blocks again, with lists that differ in names, case, order and .NOT (selections are kept per block and list)
  'FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])',
  'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (subject)] BODY.PEEK[HEADER.FIELDS (From)] BODY.PEEK[HEADER.FIELDS.NOT (subject)] BODY.PEEK[HEADER.FIELDS (DATE SUBJECT TO FROM)])',
  'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (DATE)]<0.10> BODY.PEEK[HEADER.FIELDS (TO CC)] BODY.PEEK[HEADER.FIELDS (X-FOLDED)] BODY.PEEK[HEADER.FIELDS.NOT (FROM TO SUBJECT DATE)])',
  'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT)] BODY.PEEK[HEADER.FIELDS (X-FOLDED)])',
  // a part's header is not the message's: bodies are read for this one
  'FETCH 1:* (BODY.PEEK[1.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)])',
];

for (const backend of [...new Set(['memory', 'sqlite', defaultTestBackend()] as const)]) {
  describe(`imap FETCH header sections from stored header blocks (${backend})`, () => {
    let withHeaders: ImapServer;
    let without: ImapServer;
    let bodiesRead = 0;
    before(async () => {
      withHeaders = await startServer({ backend });
      without = await startServer({ backend });
      for (const s of [withHeaders, without]) await seed(s, 'INBOX', messages());
      const store = withHeaders.t.ctx.store as { getRaw: (...a: never[]) => Promise<Buffer> };
      const getRaw = store.getRaw.bind(store);
      store.getRaw = (...a) => {
        bodiesRead++;
        return getRaw(...a);
      };
      assert.ok(withHeaders.t.ctx.store.getHeaders, 'every backend keeps header blocks');
      (without.t.ctx.store as { getHeaders?: unknown }).getHeaders = undefined;
    });
    after(async () => {
      await withHeaders?.close();
      await without?.close();
    });

    it('the same responses as cut from the whole messages, without reading the bodies', async () => {
      const got: string[][][] = [];
      for (const s of [withHeaders, without]) {
        const c = await s.login();
        assert.match((await c.command('s1 SELECT INBOX')).tagged, /OK/);
        const runs: string[][] = [];
        for (const [i, f] of FETCHES.entries()) {
          if (s === withHeaders && i === FETCHES.length - 1) assert.equal(bodiesRead, 0, 'header sections read no body');
          const r = await c.command(`f${i} ${f}`);
          assert.match(r.tagged, new RegExp(`^f${i} OK`));
          runs.push(r.untagged);
        }
        got.push(runs);
        await c.command('l LOGOUT');
      }
      const n = messages().length;
      assert.equal(got[0]![0]!.length, n);
      assert.ok(got[0]![0]!.some((l) => l.includes('Subject: plain')));
      assert.ok(got[0]![3]!.every((l) => / FLAGS \(\\Seen[ )]/.test(l)), 'FLAGS reported for messages the FETCH marked \\Seen');
      assert.ok(bodiesRead > 0, 'the part section read bodies');
      for (let i = 0; i < FETCHES.length; i++) assert.deepEqual(got[0]![i], got[1]![i], FETCHES[i]);
    });
  });
}
