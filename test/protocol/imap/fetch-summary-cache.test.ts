/**
 * FETCH ENVELOPE / BODYSTRUCTURE from summaries cached in memory (src/imap/commands/
 * summary-cache.ts) stays right while other sessions, and another store process on the same
 * data, change flags, expunge and deliver: the same responses as a server that renders every
 * message from its MIME index, after the same changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, USER, type ImapClient, type ImapServer } from './harness.js';
import { defaultTestBackend } from '../../helpers/context.js';
import { summaryCacheOf } from '../../../src/imap/commands/summary-cache.js';
import { fetchSummarizer } from '../../../src/imap/commands/fetch-summary.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { Store } from '../../../src/store/types.js';

const FETCH = 'FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)';
const messages = () => [1, 2, 3, 4, 5, 6].map((n) => msg(`message ${n}`, `body ${n}\r\n`.repeat(n)));

for (const backend of [...new Set(['sqlite', defaultTestBackend()] as const)]) {
  describe(`imap FETCH structure: cached summaries through other sessions' and processes' changes (${backend})`, () => {
    let cached: ImapServer;
    let reference: ImapServer;
    before(async () => {
      cached = await startServer({ backend });
      reference = await startServer({ backend, summaries: false });
      for (const s of [cached, reference]) await seed(s, 'INBOX', messages());
    });
    after(async () => {
      await cached?.close();
      await reference?.close();
    });

    /** the changes another process makes: a second store on the same SQLite file, else the server's own store */
    async function otherProcess(s: ImapServer, fn: (store: Store, account: number, inbox: number) => Promise<void>): Promise<void> {
      const other = backend === 'sqlite' && s === cached ? await openSqliteStore(s.t.dataDir, { summarizer: fetchSummarizer }) : null;
      const store = other ?? s.t.ctx.store;
      try {
        const acct = (await store.getAccount(USER))!;
        await fn(store, acct.id, (await store.getMailbox(acct.id, 'INBOX'))!.id);
      } finally {
        await other?.close();
      }
    }

    /** NOOP until the session has seen `n` more EXPUNGE responses (another process's changes arrive through the change log) */
    async function noopUntil(c: ImapClient, n: number): Promise<void> {
      let seen = 0;
      for (let i = 0; i < 200 && seen < n; i++) {
        const r = await c.command(`n${i} NOOP`);
        seen += r.untagged.filter((l) => / EXPUNGE$/.test(l)).length;
        if (seen < n) await new Promise((res) => setTimeout(res, 25));
      }
      assert.equal(seen, n, 'the expunges reached the session');
    }

    it('flags, expunges and new mail by others show; the rest is as rendered from the index', async () => {
      const out: string[][][] = [];
      for (const s of [cached, reference]) {
        const a = await s.login();
        assert.match((await a.command('s1 SELECT INBOX')).tagged, /OK/);
        const first = await a.command(`f1 ${FETCH}`);
        assert.match(first.tagged, /^f1 OK/);
        assert.equal(first.untagged.length, 6);
        if (s === cached && backend === 'sqlite') assert.ok(summaryCacheOf(s.t.ctx.store).count >= 6, 'summaries kept after the first FETCH');
        // another session: a flag, an expunge
        const b = await s.login();
        assert.match((await b.command('s2 SELECT INBOX')).tagged, /OK/);
        assert.match((await b.command('t1 STORE 2 +FLAGS (\\Flagged)')).tagged, /OK/);
        assert.match((await b.command('t2 STORE 3 +FLAGS (\\Deleted)')).tagged, /OK/);
        assert.match((await b.command('t3 EXPUNGE')).tagged, /OK/);
        await b.command('l2 LOGOUT');
        // another process: a keyword, an expunge, a new message
        await otherProcess(s, async (store, account, inbox) => {
          await store.storeFlags(account, inbox, [4], 'add', ['$Junk']);
          await store.storeFlags(account, inbox, [5], 'add', ['\\Deleted']);
          await store.expunge(account, inbox, [5]);
          await store.append(account, inbox, { raw: msg('message 7'), internalDate: new Date('2024-02-01T10:00:00Z') });
        });
        await noopUntil(a, 2);
        const again = await a.command(`f2 ${FETCH}`);
        assert.match(again.tagged, /^f2 OK/);
        out.push([first.untagged, again.untagged]);
        await a.command('l1 LOGOUT');
      }
      const [withCache, fromIndex] = out;
      assert.deepEqual(withCache![0], fromIndex![0]);
      assert.deepEqual(withCache![1], fromIndex![1]);
      // (a FLAGS response announces the new keyword first)
      const after = withCache![1]!.filter((l) => / FETCH \(/.test(l));
      assert.equal(after.length, 5);
      assert.deepEqual(after.map((l) => /[( ]UID (\d+)/.exec(l)![1]), ['1', '2', '4', '6', '7']);
      assert.match(after[1]!, /FLAGS \([^)]*\\Flagged/);
      assert.match(after[2]!, /FLAGS \([^)]*\$Junk/);
      assert.match(after[4]!, /"message 7"/);
    });
  });
}
