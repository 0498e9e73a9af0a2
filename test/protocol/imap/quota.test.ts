/**
 * QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT and SETQUOTA with the RFC's examples, STORAGE
 * reporting the same usage the store enforces on APPEND and COPY ([OVERQUOTA]), MAILBOX
 * against limits.mailboxes_per_account, SETQUOTA for administrators only, another account's
 * root reachable by administrators only, and STATUS DELETED / DELETED-STORAGE.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setAdmin } from '../../../src/auth/roles.js';
import { accountIdentifier, setGrant } from '../../../src/store/acl.js';
import { msg, seed, startServer, transcript, USER, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';

describe('imap QUOTA (RFC 9208)', () => {
  let server: ImapServer;
  let aliceId: number;
  let bobId: number;
  before(async () => {
    server = await startServer({ config: { limits: { mailboxes_per_account: 40 } } });
    aliceId = (await server.t.ctx.store.getAccount(USER))!.id;
    bobId = (await server.t.addUser(BOB, 'bob password here')).id;
  });
  after(() => server.close());
  const store = () => server.t.ctx.store;
  const kib = async (id: number) => Math.ceil((await store().usedBytes(id)) / 1024);

  it('advertises QUOTA, the resources it counts and QUOTASET', async () => {
    const c = await server.login();
    const r = await c.command('c CAPABILITY');
    const caps = r.untagged[0]!.split(' ');
    for (const cap of ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MAILBOX', 'QUOTASET']) assert.ok(caps.includes(cap), cap);
    assert.ok(!caps.includes('QUOTA=RES-MESSAGE'), 'no message limit exists, so MESSAGE is not offered');
  });

  it('GETQUOTAROOT and GETQUOTA report the usage the store enforces; APPEND and COPY past it are NO [OVERQUOTA]', async () => {
    await store().updateAccount(aliceId, { quotaBytes: 512 * 1024 });
    await seed(server, 'INBOX', [msg('q1', 'x'.repeat(3000) + '\r\n'), msg('q2')]);
    const c = await server.login();
    await transcript(
      c,
      `C: a GETQUOTAROOT INBOX
       S: * QUOTAROOT INBOX ""
       S: * QUOTA "" (STORAGE ${await kib(aliceId)} 512 MAILBOX 6 40)
       S: a OK GETQUOTAROOT completed
       C: b GETQUOTA ""
       S: * QUOTA "" (STORAGE ${await kib(aliceId)} 512 MAILBOX 6 40)
       S: b OK GETQUOTA completed
       C: n GETQUOTAROOT Nowhere
       S: n NO [NONEXISTENT] Mailbox "Nowhere" does not exist
       C: r GETQUOTA "other"
       S: r NO [NONEXISTENT] No quota root "other"`,
    );
    // the limit drops below what is used: the figure GETQUOTA shows is the one that refuses
    const used = await store().usedBytes(aliceId);
    await store().updateAccount(aliceId, { quotaBytes: used + 100 });
    await transcript(
      c,
      `C: g GETQUOTA ""
       S: * QUOTA "" (STORAGE ${Math.ceil(used / 1024)} ${Math.floor((used + 100) / 1024)} MAILBOX 6 40)
       S: g OK GETQUOTA completed
       C: p APPEND INBOX {200+}
       C: ${'y'.repeat(198)}
       C:
       S: p NO [OVERQUOTA] …
       C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: k COPY 1 Archive
       S: k NO [OVERQUOTA] …
       C: u UNSELECT
       S: u OK UNSELECT completed`,
    );
    await store().updateAccount(aliceId, { quotaBytes: 0 });
    // without a storage quota only MAILBOX is listed
    await transcript(c, `C: h GETQUOTA ""\nS: * QUOTA "" (MAILBOX 6 40)\nS: h OK GETQUOTA completed`);
  });

  it('SETQUOTA is for administrators; they may also name another account\'s root by its address', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: a SETQUOTA "" (STORAGE 512)
       S: a NO [NOPERM] Only administrators may change quotas
       C: b GETQUOTA ${BOB}
       S: b NO [NONEXISTENT] No quota root "${BOB}"`,
    );
    assert.equal((await store().getAccountById(aliceId))!.quotaBytes, 0);
    await setAdmin(store(), aliceId, true);
    try {
      await transcript(
        c,
        `C: c SETQUOTA "" (STORAGE 512)
         S: * QUOTA "" (STORAGE ${await kib(aliceId)} 512 MAILBOX 6 40)
         S: c OK SETQUOTA completed
         C: d SETQUOTA "" (MESSAGE 100)
         S: d NO [CANNOT] Resource MESSAGE is not limited on this server
         C: e SETQUOTA "" (STORAGE 100 MAILBOX 10)
         S: e NO [CANNOT] MAILBOX is 40 for every account (limits.mailboxes_per_account in the configuration)
         C: f SETQUOTA "" (STORAGE)
         S: f BAD SETQUOTA limits come in resource/limit pairs
         C: g SETQUOTA "" (STORAGE -1)
         S: g BAD Expected resource limit as a number, got "-1"
         C: h SETQUOTA "" STORAGE 1
         S: h BAD Expected resource limits in parentheses, got "STORAGE"
         C: i SETQUOTA "" (STORAGE 1 STORAGE 2)
         S: i BAD Resource STORAGE given twice
         C: j SETQUOTA ${BOB} (STORAGE 2048 MAILBOX 40)
         S: * QUOTA ${BOB} (STORAGE 0 2048 MAILBOX 6 40)
         S: j OK SETQUOTA completed`,
      );
      assert.equal((await store().getAccountById(aliceId))!.quotaBytes, 512 * 1024, 'the failed SETQUOTAs changed nothing');
      assert.equal((await store().getAccountById(bobId))!.quotaBytes, 2048 * 1024);
      // an empty list discards the root's limits (RFC 9208 §4.1.3)
      await transcript(c, `C: k SETQUOTA "" ()\nS: * QUOTA "" (MAILBOX 6 40)\nS: k OK SETQUOTA completed`);
      assert.equal((await store().getAccountById(aliceId))!.quotaBytes, 0);
    } finally {
      await setAdmin(store(), aliceId, false);
      await store().updateAccount(bobId, { quotaBytes: 0 });
    }
  });

  it("a mailbox another account shares has no quota root for this user", async () => {
    const archive = (await store().getMailbox(bobId, 'Archive'))!;
    const alice = (await store().getAccountById(aliceId))!;
    await setGrant(store(), bobId, archive.id, accountIdentifier(alice), 'lr');
    const c = await server.login();
    await transcript(
      c,
      `C: a GETQUOTAROOT "Other Users/${BOB}/Archive"
       S: * QUOTAROOT "Other Users/${BOB}/Archive"
       S: a OK GETQUOTAROOT completed
       C: b GETQUOTAROOT "Other Users/${BOB}/Sent"
       S: b NO [NONEXISTENT] Mailbox "Other Users/${BOB}/Sent" does not exist`,
    );
  });

  it('STATUS DELETED and DELETED-STORAGE (RFC 9208 §4.1.4)', async () => {
    const c = await server.login();
    await transcript(c, 'C: c CREATE Del\nS: c OK [MAILBOXID (…)] CREATE completed');
    const big = msg('d1', 'z'.repeat(1000) + '\r\n');
    const small = msg('d2');
    await seed(server, 'Del', [big, small, msg('d3')], [['\\Deleted'], ['\\Deleted', '\\Seen'], []]);
    await transcript(
      c,
      `C: s STATUS Del (MESSAGES DELETED DELETED-STORAGE)
       S: * STATUS Del (MESSAGES 3 DELETED 2 DELETED-STORAGE ${big.length + small.length})
       S: s OK STATUS completed
       C: t STATUS Archive (DELETED DELETED-STORAGE)
       S: * STATUS Archive (DELETED 0 DELETED-STORAGE 0)
       S: t OK STATUS completed`,
    );
  });
});
