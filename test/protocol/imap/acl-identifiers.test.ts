/**
 * ACL identifiers beyond single accounts over a real socket (RFC 4314 §2): "anyone" and
 * "authenticated" (the owner's domain only, never a session that has not logged in),
 * negative rights ("-name"), and SETACL/DELETEACL/LISTRIGHTS/GETACL answering the same for
 * a name that is no account as for one that is (nothing tells whether an account exists).
 * This server allows users to grant to anyone (auth.acl_anyone = "allow"); acl.test.ts
 * checks the default, which does not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountIdentifier, grantedRights } from '../../../src/store/acl.js';
import { msg, PASS, startServer, transcript, USER, type ImapClient, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
/** another domain on the same server */
const EVE = 'eve@other.test';
const OU = `Other Users/${USER}`;

describe('imap ACL identifiers: anyone, authenticated, negative rights, unknown names', () => {
  let server: ImapServer;
  let aliceId: number;

  const login = (user: string): Promise<ImapClient> => server.login(user);
  async function aliceBox(name: string, n = 1): Promise<number> {
    const store = server.t.ctx.store;
    await store.createMailbox(aliceId, name);
    const mb = (await store.getMailbox(aliceId, name))!;
    for (let i = 0; i < n; i++) await store.append(aliceId, mb.id, { raw: msg(`${name} ${i + 1}`), flags: [] });
    return mb.id;
  }
  async function alice(cmds: string): Promise<void> {
    await transcript(await login(USER), cmds);
  }

  before(async () => {
    server = await startServer({ config: { auth: { plaintext_allowed_from: ['127.0.0.1'], acl_anyone: 'allow' } } });
    aliceId = (await server.t.ctx.store.getAccount(USER))!.id;
    await server.t.addUser(BOB, PASS);
    await server.t.addUser(CAROL, PASS);
    await server.t.addUser(EVE, PASS);
  });
  after(() => server.close());

  it('"anyone" shares with every account of the owner\'s domain, not with another domain', async () => {
    await aliceBox('Team');
    await alice(
      `C: a SETACL Team anyone lr
       S: a OK SETACL completed
       C: b GETACL Team
       S: * ACL Team ${USER} lrswipkxteacd anyone lr
       S: b OK GETACL completed`,
    );
    for (const who of [BOB, CAROL]) {
      await transcript(
        await login(who),
        `C: l LIST "" "${OU}/*"
         S: * LIST (\\HasNoChildren) "/" "${OU}/Team"
         S: l OK LIST completed
         C: m MYRIGHTS "${OU}/Team"
         S: * MYRIGHTS "${OU}/Team" lr
         S: m OK MYRIGHTS completed
         C: s EXAMINE "${OU}/Team"
         S*: * 1 EXISTS
         S*: s OK [READ-ONLY] EXAMINE completed`,
      );
    }
    await transcript(
      await login(EVE),
      `C: l LIST "" "*"
       S: * LIST (\\HasNoChildren) "/" INBOX
       S*: l OK LIST completed
       C: s EXAMINE "${OU}/Team"
       S: s NO [NONEXISTENT] Mailbox "${OU}/Team" does not exist
       C: m MYRIGHTS "${OU}/Team"
       S: m NO [NONEXISTENT] Mailbox "${OU}/Team" does not exist`,
    );
    const eve = await login(EVE);
    const l = await eve.command('l2 LIST "" "*"');
    assert.ok(!l.untagged.some((x) => x.includes('Team')), l.untagged.join('\n'));
  });

  it('"anyone" never lets a session in that has not logged in', async () => {
    await aliceBox('Open');
    await alice(`C: a SETACL Open anyone lrswipkxtea\nS: a OK SETACL completed`);
    const c = await server.connect();
    await c.readLine();
    for (const cmd of [`SELECT "${OU}/Open"`, `EXAMINE "${OU}/Open"`, `STATUS "${OU}/Open" (MESSAGES)`, `MYRIGHTS "${OU}/Open"`, `GETACL "${OU}/Open"`, 'LIST "" "*"']) {
      const r = await c.command(`u ${cmd}`);
      assert.match(r.tagged, /^u (BAD|NO) /, `${cmd}: ${r.tagged}`);
      assert.deepEqual(r.untagged, [], `${cmd} told something before login`);
    }
  });

  it('"authenticated" is the same set as "anyone"; the later of them to go takes the mailbox out of LIST', async () => {
    await aliceBox('Auth');
    await alice(
      `C: a SETACL Auth authenticated lr
       S: a OK SETACL completed
       C: b SETACL Auth anyone l
       S: b OK SETACL completed`,
    );
    const b = await login(BOB);
    await transcript(b, `C: m MYRIGHTS "${OU}/Auth"\nS: * MYRIGHTS "${OU}/Auth" lr\nS: m OK MYRIGHTS completed`);
    await alice(`C: d DELETEACL Auth authenticated\nS: d OK DELETEACL completed`);
    await transcript(b, `C: m MYRIGHTS "${OU}/Auth"\nS: * MYRIGHTS "${OU}/Auth" l\nS: m OK MYRIGHTS completed`);
    await alice(`C: d DELETEACL Auth anyone\nS: d OK DELETEACL completed`);
    await transcript(
      b,
      `C: m MYRIGHTS "${OU}/Auth"
       S: m NO [NONEXISTENT] Mailbox "${OU}/Auth" does not exist
       C: l LIST "" "${OU}/Auth*"
       S: l OK LIST completed`,
    );
  });

  it('RFC 4314 §2: negative rights take away what other entries give; "-" entries are listed and removed like others', async () => {
    await aliceBox('Neg', 2);
    await alice(
      `C: a SETACL Neg anyone lrs
       S: a OK SETACL completed
       C: b SETACL Neg -${BOB} rs
       S: b OK SETACL completed
       C: c SETACL Neg -${BOB} +w
       S: c OK SETACL completed
       C: g GETACL Neg
       S: * ACL Neg ${USER} lrswipkxteacd -${BOB} rsw anyone lrs
       S: g OK GETACL completed`,
    );
    const b = await login(BOB);
    await transcript(
      b,
      `C: m MYRIGHTS "${OU}/Neg"
       S: * MYRIGHTS "${OU}/Neg" l
       S: m OK MYRIGHTS completed
       C: s SELECT "${OU}/Neg"
       S: s NO [NOPERM] Permission denied on "${OU}/Neg" (the r right is needed)`,
    );
    await transcript(await login(CAROL), `C: m MYRIGHTS "${OU}/Neg"\nS: * MYRIGHTS "${OU}/Neg" lrs\nS: m OK MYRIGHTS completed`);
    await alice(`C: d DELETEACL Neg -${BOB}\nS: d OK DELETEACL completed`);
    await transcript(b, `C: m MYRIGHTS "${OU}/Neg"\nS: * MYRIGHTS "${OU}/Neg" lrs\nS: m OK MYRIGHTS completed`);
    // "-anyone" takes from every account of the domain, also from one with its own grant
    await alice(
      `C: a SETACL Neg ${CAROL} lrsw
       S: a OK SETACL completed
       C: b SETACL Neg -anyone s
       S: b OK SETACL completed`,
    );
    await transcript(await login(CAROL), `C: m MYRIGHTS "${OU}/Neg"\nS: * MYRIGHTS "${OU}/Neg" lrw\nS: m OK MYRIGHTS completed`);
  });

  it('SETACL, DELETEACL, LISTRIGHTS and GETACL answer the same for a name that is no account as for an account', async () => {
    await aliceBox('Probe', 0);
    const c = await login(USER);
    const answers = async (who: string) => {
      const out: string[] = [];
      for (const cmd of [`SETACL Probe ${who} lr`, `SETACL Probe ${who} +w`, 'GETACL Probe', `LISTRIGHTS Probe ${who}`, `DELETEACL Probe ${who}`, `DELETEACL Probe ${who}`, `SETACL Probe -${who} r`, 'GETACL Probe', `DELETEACL Probe -${who}`]) {
        const r = await c.command(`t ${cmd}`);
        out.push(`${r.untagged.join('|')} ${r.tagged}`.replaceAll(who, '<who>'));
      }
      return out;
    };
    const known = await answers(CAROL);
    assert.deepEqual(known.slice(2, 4), [
      `* ACL Probe ${USER} lrswipkxteacd <who> lrw t OK GETACL completed`,
      '* LISTRIGHTS Probe <who> "" l r s w i p k x t e a c d t OK LISTRIGHTS completed',
    ]);
    assert.deepEqual(await answers('nobody@example.test'), known);
    assert.deepEqual(await answers('nobody@nowhere.test'), known);
  });

  it('an entry made for a name that was no account gives nothing to an account created later with that name', async () => {
    const box = await aliceBox('Later');
    await alice(`C: a SETACL Later zed@example.test lr\nS: a OK SETACL completed`);
    const zed = await server.t.addUser('zed@example.test', PASS);
    assert.equal(await grantedRights(server.t.ctx.store, aliceId, box, zed), '');
    await transcript(
      await login('zed@example.test'),
      `C: s EXAMINE "${OU}/Later"
       S: s NO [NONEXISTENT] Mailbox "${OU}/Later" does not exist`,
    );
    // granted again now that the account exists, it holds
    await alice(`C: a SETACL Later zed@example.test lr\nS: a OK SETACL completed\nC: g GETACL Later\nS: * ACL Later ${USER} lrswipkxteacd zed@example.test lr\nS: g OK GETACL completed`);
    assert.equal(await grantedRights(server.t.ctx.store, aliceId, box, zed), 'lr');
    assert.ok(accountIdentifier(zed));
  });

  it('a revoked "anyone" grant holds from the next command on a selected mailbox', async () => {
    await aliceBox('Gone', 1);
    await alice(`C: a SETACL Gone anyone lr\nS: a OK SETACL completed`);
    const b = await login(BOB);
    await transcript(b, `C: s EXAMINE "${OU}/Gone"\nS*: s OK [READ-ONLY] EXAMINE completed\nC: f FETCH 1 (UID)\nS: * 1 FETCH (UID 1)\nS: f OK FETCH completed`);
    await alice(`C: d DELETEACL Gone anyone\nS: d OK DELETEACL completed`);
    const r = await b.command('f2 FETCH 1 (BODY.PEEK[])');
    assert.ok(!r.untagged.some((x) => x.includes('Gone 1')), r.untagged.join('\n'));
    assert.doesNotMatch(r.tagged, /^f2 OK/);
  });
});
