/**
 * The shared (public) namespace "Shared/" over a real socket (RFC 2342 §5, RFC 4314): a
 * domain's shared mailboxes belong to its no-login owner shared@<domain>
 * (src/store/shared-owner.ts) and reach the domain's accounts through their ACL only —
 * "anyone" for the whole domain, never another domain, never before login; a revoke holds
 * from the next command; \Seen and the other flags are one set for everyone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountIdentifier, setGrant } from '../../../src/store/acl.js';
import { ensureSharedOwner } from '../../../src/store/shared-owner.js';
import type { Account } from '../../../src/store/types.js';
import { msg, PASS, startServer, transcript, USER, type ImapClient, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';
const EVE = 'eve@other.test';
const ANYONE = { kind: 'anyone', negative: false } as const;

describe('imap shared namespace (Shared/)', () => {
  let server: ImapServer;
  let owner: Account;

  const login = (user: string): Promise<ImapClient> => server.login(user);
  /** a shared mailbox of example.test with `n` messages; `anyone` rights when given */
  async function sharedBox(name: string, anyone = '', n = 1): Promise<number> {
    const store = server.t.ctx.store;
    await store.createMailbox(owner.id, name);
    const mb = (await store.getMailbox(owner.id, name))!;
    for (let i = 0; i < n; i++) await store.append(owner.id, mb.id, { raw: msg(`${name} ${i + 1}`), flags: [] });
    if (anyone) await setGrant(store, owner.id, mb.id, ANYONE, anyone);
    return mb.id;
  }

  before(async () => {
    server = await startServer();
    await server.t.addUser(BOB, PASS);
    await server.t.addUser(EVE, PASS);
    owner = await ensureSharedOwner(server.t.ctx.store, 'example.test');
    // what another domain shares is its own
    const otherOwner = await ensureSharedOwner(server.t.ctx.store, 'other.test');
    await server.t.ctx.store.createMailbox(otherOwner.id, 'Elsewhere');
    const mb = (await server.t.ctx.store.getMailbox(otherOwner.id, 'Elsewhere'))!;
    await setGrant(server.t.ctx.store, otherOwner.id, mb.id, ANYONE, 'lr');
  });
  after(() => server.close());

  it('NAMESPACE names Shared/ as the shared namespace (RFC 2342 §5)', async () => {
    await transcript(
      await login(USER),
      `C: n NAMESPACE
       S: * NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))
       S: n OK NAMESPACE completed`,
    );
  });

  it('a shared mailbox "anyone" may read is listed, opened and read by every account of the domain', async () => {
    await sharedBox('Announcements', 'lrs', 2);
    for (const who of [USER, BOB]) {
      await transcript(
        await login(who),
        `C: l LIST "" "Shared/*"
         S: * LIST (\\HasNoChildren) "/" Shared/Announcements
         S: l OK LIST completed
         C: l2 LIST "" "%"
         S*: * LIST (\\Noselect \\HasChildren) "/" Shared
         S*: l2 OK LIST completed
         C: m MYRIGHTS Shared/Announcements
         S: * MYRIGHTS Shared/Announcements lrs
         S: m OK MYRIGHTS completed
         C: s SELECT Shared/Announcements
         S*: * 2 EXISTS
         S*: s OK [READ-WRITE] SELECT completed
         C: f FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])
         S: * 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {28}\\r\\nSubject: Announcements 2\\r\\n\\r\\n)
         S: f OK FETCH completed
         C: a APPEND Shared/Announcements {3+}\\r\\nhi!
         S: a NO [NOPERM] Permission denied on "Shared/Announcements" (the i right is needed)
         C: g GETACL Shared/Announcements
         S: g NO [NOPERM] Permission denied on "Shared/Announcements" (the a right is needed)`,
      );
    }
  });

  it('the domain\'s shared mailboxes have one name: not reachable as Other Users/shared@<domain>/…', async () => {
    await sharedBox('OneName', 'lr');
    await transcript(
      await login(BOB),
      `C: s EXAMINE "Other Users/shared@example.test/OneName"
       S: s NO [NONEXISTENT] Mailbox "Other Users/shared@example.test/OneName" does not exist
       C: s2 EXAMINE Shared/OneName
       S*: s2 OK [READ-ONLY] EXAMINE completed`,
    );
  });

  it('another domain\'s accounts, and sessions before login, get nothing; another domain\'s shared mailboxes stay theirs', async () => {
    await sharedBox('Internal', 'lrswipkxtea');
    const eve = await login(EVE);
    await transcript(
      eve,
      `C: s EXAMINE Shared/Internal
       S: s NO [NONEXISTENT] Mailbox "Shared/Internal" does not exist
       C: o EXAMINE "Other Users/shared@example.test/Internal"
       S: o NO [NONEXISTENT] Mailbox "Other Users/shared@example.test/Internal" does not exist
       C: l LIST "" "Shared/*"
       S: * LIST (\\HasNoChildren) "/" Shared/Elsewhere
       S: l OK LIST completed`,
    );
    await transcript(
      await login(BOB),
      `C: l LIST "" "*Elsewhere*"
       S: l OK LIST completed
       C: s EXAMINE "Other Users/shared@other.test/Elsewhere"
       S: s NO [NONEXISTENT] Mailbox "Other Users/shared@other.test/Elsewhere" does not exist`,
    );
    const anon = await server.connect();
    await anon.readLine();
    for (const cmd of ['SELECT Shared/Internal', 'STATUS Shared/Internal (MESSAGES)', 'LIST "" "Shared/*"', 'MYRIGHTS Shared/Internal']) {
      const r = await anon.command(`u ${cmd}`);
      assert.match(r.tagged, /^u (BAD|NO) /, `${cmd}: ${r.tagged}`);
      assert.deepEqual(r.untagged, []);
    }
  });

  it('without a grant a shared mailbox answers exactly like one that does not exist; an account grant opens it for that account only', async () => {
    const id = await sharedBox('Board');
    const b = await login(BOB);
    const probe = async (name: string) => {
      const out: string[] = [];
      for (const cmd of [`SELECT "${name}"`, `STATUS "${name}" (MESSAGES)`, `MYRIGHTS "${name}"`, `GETACL "${name}"`, `DELETE "${name}"`, `APPEND "${name}" {3+}\r\nhi!`]) {
        const r = await b.command(`t ${cmd}`);
        out.push(`${r.untagged.join('|')} ${r.tagged}`.replaceAll(name, '<name>'));
      }
      return out;
    };
    const board = await probe('Shared/Board');
    for (const line of board) assert.match(line, /^ t NO \[NONEXISTENT\] Mailbox "<name>" does not exist$/);
    assert.deepEqual(await probe('Shared/NoSuchBox'), board);
    const l = await b.command('l LIST "" "Shared/*"');
    assert.ok(!l.untagged.some((x) => x.includes('Board')), l.untagged.join('\n'));
    await setGrant(server.t.ctx.store, owner.id, id, accountIdentifier((await server.t.ctx.store.getAccount(BOB))!), 'lr');
    await transcript(b, `C: m MYRIGHTS Shared/Board\nS: * MYRIGHTS Shared/Board lr\nS: m OK MYRIGHTS completed`);
    await transcript(await login(USER), `C: m MYRIGHTS Shared/Board\nS: m NO [NONEXISTENT] Mailbox "Shared/Board" does not exist`);
  });

  it('a revoke holds from the next command, also on the selected shared mailbox', async () => {
    const id = await sharedBox('Revoked', 'lr');
    const b = await login(BOB);
    await transcript(b, `C: s EXAMINE Shared/Revoked\nS*: s OK [READ-ONLY] EXAMINE completed\nC: f FETCH 1 (UID)\nS: * 1 FETCH (UID 1)\nS: f OK FETCH completed`);
    await setGrant(server.t.ctx.store, owner.id, id, ANYONE, '');
    const r = await b.command('f2 FETCH 1 (BODY.PEEK[])');
    assert.ok(!r.untagged.some((x) => x.includes('Revoked 1')), r.untagged.join('\n'));
    assert.doesNotMatch(r.tagged, /^f2 OK/);
    await transcript(b, `C: m MYRIGHTS Shared/Revoked\nS: m NO [NONEXISTENT] Mailbox "Shared/Revoked" does not exist`);
  });

  it('flags are shared: \\Seen set by one account is seen by the others (no per-user \\Seen)', async () => {
    await sharedBox('Seen', 'lrsw');
    const a = await login(USER);
    await transcript(a, `C: s SELECT Shared/Seen\nS*: s OK [READ-WRITE] SELECT completed\nC: st STORE 1 +FLAGS.SILENT (\\Seen)\nS: st OK STORE completed`);
    await transcript(
      await login(BOB),
      `C: s STATUS Shared/Seen (MESSAGES UNSEEN)
       S: * STATUS Shared/Seen (MESSAGES 1 UNSEEN 0)
       S: s OK STATUS completed`,
    );
  });

  it('RFC 4314 §4: top-level CREATE in Shared/ is refused; "k" on a shared mailbox creates below it, and the child takes its ACL', async () => {
    await sharedBox('Projects', 'lrk', 0);
    await transcript(
      await login(BOB),
      `C: c CREATE Shared/Mine
       S: c NO [NOPERM] Permission denied: mailboxes cannot be created as "Shared/Mine"
       C: c1 CREATE Shared
       S: c1 NO [NOPERM] Permission denied: mailboxes cannot be created as "Shared"
       C: c2 CREATE Shared/Projects/2027
       S: c2 OK [MAILBOXID (…)] CREATE completed
       C: m MYRIGHTS Shared/Projects/2027
       S: * MYRIGHTS Shared/Projects/2027 lrkc
       S: m OK MYRIGHTS completed`,
    );
    assert.ok(await server.t.ctx.store.getMailbox(owner.id, 'Projects/2027'), 'created in the owner\'s account');
    assert.equal(await server.t.ctx.store.getMailbox((await server.t.ctx.store.getAccount(BOB))!.id, 'Shared/Projects/2027'), null);
  });

  it('the shared-mailbox owner cannot log in, whatever the password', async () => {
    const c = await server.connect();
    await c.readLine();
    for (const pw of [PASS, '!no-login:shared-mailboxes', '']) {
      const r = await c.command(`L LOGIN shared@example.test "${pw}"`);
      assert.match(r.tagged, /^L (NO|BAD) /);
    }
  });
});
