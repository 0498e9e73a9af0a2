/**
 * MULTISEARCH (RFC 7377): ESEARCH IN (...) over several mailboxes, after the RFC's §2.1
 * examples: one ESEARCH per mailbox with matches, correlated by TAG, MAILBOX and
 * UIDVALIDITY, always by UID; subtree-one, subtree, personal, inboxes, subscribed and
 * selected sources; the selected mailbox searched through the session's view; bad input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountIdentifier, setGrant } from '../../../src/store/acl.js';
import { msg, seed, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap MULTISEARCH (RFC 7377)', () => {
  let server: ImapServer;
  const uv: Record<string, number> = {};
  before(async () => {
    server = await startServer();
    const store = server.t.ctx.store;
    const id = (await store.getAccount(USER))!.id;
    for (const name of ['folder1', 'folder2', 'folder2/salmon', 'folder2/salmon/deep', 'folder3']) await store.createMailbox(id, name);
    await seed(server, 'folder1', [msg('a1'), msg('a2'), msg('a3')], [[], ['\\Seen'], []]);
    await seed(server, 'folder2', [msg('b1')], [['\\Seen']]);
    await seed(server, 'folder2/salmon', [msg('c1', 'from bobby'), msg('c2')], [[], []]);
    await seed(server, 'folder2/salmon/deep', [msg('d1')], [[]]);
    await seed(server, 'INBOX', [msg('i1'), msg('i2')], [['\\Seen'], []]);
    await store.setSubscribed(id, 'folder3', true);
    await store.setSubscribed(id, 'folder1', true);
    for (const m of await store.listMailboxes(id)) uv[m.name] = m.uidValidity;
  });
  after(() => server.close());

  it('advertises MULTISEARCH', async () => {
    const c = await server.login();
    assert.match((await c.command('c CAPABILITY')).untagged[0]!, / MULTISEARCH\b/);
  });

  it('RFC 7377 §2.1: mailboxes and subtree-one; mailboxes without matches send nothing', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: tag1 ESEARCH IN (mailboxes "folder1" subtree-one "folder2") unseen
       S: * ESEARCH (TAG "tag1" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID ALL 1,3
       S: * ESEARCH (TAG "tag1" MAILBOX folder2/salmon UIDVALIDITY ${uv['folder2/salmon']}) UID ALL 1:2
       S: tag1 OK ESEARCH completed
       C: tag2 ESEARCH IN (subtree folder2) RETURN (MIN MAX COUNT) UNSEEN
       S: * ESEARCH (TAG "tag2" MAILBOX folder2/salmon UIDVALIDITY ${uv['folder2/salmon']}) UID MIN 1 MAX 2 COUNT 2
       S: * ESEARCH (TAG "tag2" MAILBOX folder2/salmon/deep UIDVALIDITY ${uv['folder2/salmon/deep']}) UID MIN 1 MAX 1 COUNT 1
       S: tag2 OK ESEARCH completed
       C: tag3 ESEARCH IN (mailboxes (folder1 Nowhere) inboxes) UID 2:* BODY bobby
       S: tag3 OK ESEARCH completed
       C: tag4 ESEARCH IN (personal) BODY bobby
       S: * ESEARCH (TAG "tag4" MAILBOX folder2/salmon UIDVALIDITY ${uv['folder2/salmon']}) UID ALL 1
       S: tag4 OK ESEARCH completed
       C: tag5 ESEARCH IN (subscribed inboxes) RETURN (COUNT) UNSEEN
       S: * ESEARCH (TAG "tag5" MAILBOX INBOX UIDVALIDITY ${uv.INBOX}) UID COUNT 1
       S: * ESEARCH (TAG "tag5" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID COUNT 2
       S: tag5 OK ESEARCH completed
       C: tag6 ESEARCH IN (mailboxes folder1) UID 3:*
       S: * ESEARCH (TAG "tag6" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID ALL 3
       S: tag6 OK ESEARCH completed`,
    );
  });

  it('the selected mailbox (the default source) is searched through the session view', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: n ESEARCH ALL
       S: n OK ESEARCH completed
       C: s SELECT folder1
       S*: s OK [READ-WRITE] SELECT completed
       C: a ESEARCH UNSEEN
       S: * ESEARCH (TAG "a" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID ALL 1,3
       S: a OK ESEARCH completed
       C: b ESEARCH IN (selected mailboxes folder1 inboxes) RETURN (MAX) ALL
       S: * ESEARCH (TAG "b" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID MAX 3
       S: * ESEARCH (TAG "b" MAILBOX INBOX UIDVALIDITY ${uv.INBOX}) UID MAX 2
       S: b OK ESEARCH completed`,
    );
    // a message that arrives after SELECT is not in the session's view until it is announced
    await seed(server, 'folder1', [msg('a4')], [[]]);
    await transcript(
      c,
      `C: d ESEARCH IN (selected) UNSEEN
       S: * ESEARCH (TAG "d" MAILBOX folder1 UIDVALIDITY ${uv.folder1}) UID ALL 1,3
       S*: d OK ESEARCH completed`,
    );
  });

  it('bad input: sequence numbers, $, SAVE, unknown filters and scope options are BAD', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: a ESEARCH IN (personal) 1:3
       S: a BAD ESEARCH criteria take UID sets, not message numbers or "$"
       C: b ESEARCH IN (personal) UID $
       S: b BAD ESEARCH criteria take UID sets, not message numbers or "$"
       C: c ESEARCH IN (personal) RETURN (SAVE) ALL
       S: c BAD ESEARCH does not take SAVE, UPDATE or CONTEXT
       C: d ESEARCH IN (everything) ALL
       S: d BAD Unknown mailbox filter "everything"
       C: e ESEARCH IN (personal (DEPTH 1)) ALL
       S: e BAD No ESEARCH scope options are supported
       C: f ESEARCH IN () ALL
       S: f BAD IN needs at least one mailbox filter
       C: g ESEARCH IN (subtree) ALL
       S: g BAD Missing mailboxes
       C: h ESEARCH IN (personal)
       S: h BAD Missing search criteria`,
    );
  });

  it("reaches another account's mailbox only by its shared name, with the r right (RFC 4314)", async () => {
    const store = server.t.ctx.store;
    const bob = await server.t.addUser('bob@example.test', 'bob password here');
    const c = await server.connect();
    await c.readLine();
    await c.command('L LOGIN bob@example.test "bob password here"');
    const shared = '"Other Users/alice@example.test/folder1"';
    await transcript(
      c,
      `C: a ESEARCH IN (mailboxes folder1 subtree folder2) ALL
       S: a OK ESEARCH completed
       C: b ESEARCH IN (personal) ALL
       S: b OK ESEARCH completed
       C: c ESEARCH IN (mailboxes ${shared}) ALL
       S: c OK ESEARCH completed`,
    );
    const aliceId = (await store.getAccount(USER))!.id;
    const folder1 = (await store.getMailbox(aliceId, 'folder1'))!;
    await setGrant(store, aliceId, folder1.id, accountIdentifier(bob), 'l');
    await transcript(c, `C: d ESEARCH IN (mailboxes ${shared}) ALL\nS: d OK ESEARCH completed`);
    await setGrant(store, aliceId, folder1.id, accountIdentifier(bob), 'lr');
    await transcript(
      c,
      `C: e ESEARCH IN (mailboxes ${shared}) UNSEEN
       S: * ESEARCH (TAG "e" MAILBOX ${shared} UIDVALIDITY ${uv.folder1}) UID ALL 1,3…
       S: e OK ESEARCH completed
       C: f ESEARCH IN (subtree "Other Users/alice@example.test" personal) UNSEEN
       S: f OK ESEARCH completed`,
    );
  });
});
