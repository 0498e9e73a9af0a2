/**
 * FETCH ENVELOPE / BODY / BODYSTRUCTURE from the store's summaries (src/imap/commands/
 * fetch-summary.ts) gives exactly the bytes rendered from the MIME index: the same
 * messages on a server whose store keeps summaries and one whose store keeps none, with
 * and without UTF8=ACCEPT, on both backends, including values that need literals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mimeFixtures, msg, seed, startServer, type ImapServer } from './harness.js';
import { fetchSummarizer } from '../../../src/imap/commands/fetch-summary.js';
import { USER } from './harness.js';

function messages(): Buffer[] {
  const out = mimeFixtures();
  out.push(msg('plain'));
  // a subject longer than a quoted string may be (1024): a literal in ENVELOPE
  out.push(msg(`long ${'x'.repeat(1100)}`));
  // non-ASCII local part (RFC 6532): a literal for sessions without UTF-8
  out.push(Buffer.from('From: José <josé@exämple.test>\r\nTo: b@example.test\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n\r\nhi\r\n'));
  out.push(Buffer.from('Content-Type: multipart/mixed; boundary=b; name="r\u00e9sum\u00e9.txt"\r\nSubject: params\r\n\r\n--b\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Disposition: attachment; filename*=UTF-8\'\'%C3%A9t%C3%A9.txt\r\n\r\nx\r\n--b--\r\n'));
  return out;
}

for (const backend of ['memory', 'sqlite'] as const) {
  describe(`imap FETCH structure from stored summaries (${backend})`, () => {
    let withSummaries: ImapServer;
    let without: ImapServer;
    before(async () => {
      withSummaries = await startServer({ backend });
      without = await startServer({ backend, summaries: false });
      for (const s of [withSummaries, without]) await seed(s, 'INBOX', messages());
    });
    after(async () => {
      await withSummaries?.close();
      await without?.close();
    });

    it('the store holds summaries for them, some items left to the index (literals)', async () => {
      const store = withSummaries.t.ctx.store;
      const acct = (await store.getAccount(USER))!;
      const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
      const rows = await store.getSummaries!(acct.id, inbox.id, [[1, Infinity]]);
      assert.equal(rows.length, messages().length);
      assert.ok(rows.every((r) => r.summary !== null));
      const parsed = rows.map((r) => JSON.parse(r.summary!) as Record<string, unknown>);
      assert.ok(parsed.some((p) => p.e === undefined), 'the long subject has no stored 7-bit ENVELOPE');
      const none = await without.t.ctx.store.getSummaries!(acct.id, inbox.id, [1]);
      assert.equal(none[0]!.summary, null, 'a store without a summarizer keeps none');
    });

    for (const utf8 of [false, true]) {
      it(`the same FETCH responses as from the index${utf8 ? ' with UTF8=ACCEPT' : ''}`, async () => {
        const got: string[][] = [];
        for (const s of [withSummaries, without]) {
          const c = await s.login();
          if (utf8) assert.match((await c.command('e1 ENABLE UTF8=ACCEPT')).tagged, /OK/);
          assert.match((await c.command('s1 SELECT INBOX')).tagged, /OK/);
          const r = await c.command('f1 FETCH 1:* (UID ENVELOPE BODY BODYSTRUCTURE)');
          assert.match(r.tagged, /^f1 OK/);
          got.push(r.untagged.filter((l) => / FETCH /.test(l)));
          // a mixed request (a section beside the structure) takes the index path for everything
          const m = await c.command('f2 FETCH 1:3 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
          assert.match(m.tagged, /^f2 OK/);
          got.push(m.untagged);
        }
        assert.equal(got[0]!.length, messages().length);
        assert.deepEqual(got[0], got[2]);
        assert.deepEqual(got[1], got[3]);
      });
    }
  });
}

describe('summaries of messages stored before the summarizer (sqlite)', () => {
  it('are made on first read and kept; a new summarizer version makes them again', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { openSqliteStore } = await import('../../../src/store/sqlite/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-summary-'));
    try {
      let store = await openSqliteStore(dir);
      await store.addDomain('example.test');
      const a = await store.createAccount('bob@example.test', 'x');
      const inbox = (await store.getMailbox(a.id, 'INBOX'))!.id;
      await store.appendMany(a.id, inbox, [{ raw: msg('one') }, { raw: msg('two') }]);
      await store.close();
      store = await openSqliteStore(dir, { summarizer: fetchSummarizer });
      const first = await store.getSummaries!(a.id, inbox, [[1, Infinity]]);
      assert.equal(first.length, 2);
      assert.match(JSON.parse(first[0]!.summary!).e, /"one"/);
      await store.close();
      // kept: a summarizer that would write something else is not asked again at the same version
      const marker = { version: fetchSummarizer.version, summarize: () => 'changed' };
      store = await openSqliteStore(dir, { summarizer: marker });
      assert.match(JSON.parse((await store.getSummaries!(a.id, inbox, [1]))[0]!.summary!).e, /"one"/);
      await store.close();
      store = await openSqliteStore(dir, { summarizer: { version: fetchSummarizer.version + 1, summarize: () => 'v2' } });
      assert.equal((await store.getSummaries!(a.id, inbox, [2]))[0]!.summary, 'v2');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
