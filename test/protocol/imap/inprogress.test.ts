/** INPROGRESS (RFC 9585): a command running longer than three seconds is reported as in progress. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, type ImapServer } from './harness.js';

describe('imap INPROGRESS', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('p1'), msg('p2')]);
    // a slow store: SORT takes 3.5 s
    const store = server.t.ctx.store;
    const sortUids = store.sortUids.bind(store);
    store.sortUids = async (...a: Parameters<typeof sortUids>) => {
      await new Promise((r) => setTimeout(r, 3500));
      return sortUids(...a);
    };
  });
  after(() => server.close());

  it('sends OK [INPROGRESS ("tag" NIL NIL)] before the answer of a slow command; quick ones get none', async () => {
    const c = await server.login();
    const caps = await c.command('c CAPABILITY');
    assert.match(caps.untagged[0]!, /\bINPROGRESS\b/);
    await c.command('s SELECT INBOX');
    const quick = await c.command('q FETCH 1:2 (UID)');
    assert.ok(!quick.untagged.some((l) => l.includes('INPROGRESS')));
    const r = await c.command('slow1 SORT (SUBJECT) UTF-8 ALL');
    assert.equal(r.untagged[0], '* OK [INPROGRESS ("slow1" NIL NIL)] Still working');
    assert.equal(r.untagged[r.untagged.length - 1], '* SORT 1 2');
    assert.match(r.tagged, /^slow1 OK SORT completed/);
  });
});
