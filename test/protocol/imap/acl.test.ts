/**
 * ACL (RFC 4314), LIST-MYRIGHTS (RFC 8440) and the "Other Users" namespace over a real
 * socket: the RFC's own examples where they apply, sharing between two accounts, and the
 * negative cases that keep accounts apart (each would pass if its check were removed
 * only by leaking or changing the other account's data, which the tests look at).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, PASS, startServer, transcript, USER, type ImapClient, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
/** never given anything */
const DAVE = 'dave@example.test';
const OU = `Other Users/${USER}`;

describe('imap ACL and the Other Users namespace', () => {
  let server: ImapServer;
  let aliceId: number;

  const login = (user: string): Promise<ImapClient> => server.login(user);
  /** a fresh mailbox of alice's with `n` messages */
  async function aliceBox(name: string, n = 2): Promise<number> {
    const store = server.t.ctx.store;
    await store.createMailbox(aliceId, name);
    const mb = (await store.getMailbox(aliceId, name))!;
    for (let i = 0; i < n; i++) await store.append(aliceId, mb.id, { raw: msg(`${name} ${i + 1}`), flags: [] });
    return mb.id;
  }
  async function messages(name: string): Promise<Array<{ uid: number; flags: string[] }>> {
    const store = server.t.ctx.store;
    const mb = (await store.getMailbox(aliceId, name))!;
    return (await store.getMessages(aliceId, mb.id, [[1, Infinity]])).map((m) => ({ uid: m.uid, flags: [...m.flags].sort() }));
  }
  async function grant(name: string, who: string, rights: string): Promise<void> {
    const a = await login(USER);
    const r = await a.command(`g SETACL "${name}" ${who} ${rights}`);
    assert.match(r.tagged, /^g OK/);
  }

  before(async () => {
    server = await startServer();
    aliceId = (await server.t.ctx.store.getAccount(USER))!.id;
    await server.t.addUser(BOB, PASS);
    await server.t.addUser(CAROL, PASS);
    await server.t.addUser(DAVE, PASS);
  });
  after(() => server.close());

  it('advertises ACL, RIGHTS=texk and LIST-MYRIGHTS, and the Other Users namespace', async () => {
    const c = await login(USER);
    const r = await c.command('c CAPABILITY');
    assert.match(r.untagged[0]!, / ACL /);
    assert.match(r.untagged[0]!, / RIGHTS=texk[ \r]/);
    assert.match(r.untagged[0]!, / LIST-MYRIGHTS[ \r]?/);
    await transcript(
      c,
      `C: n NAMESPACE
       S: * NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))
       S: n OK NAMESPACE completed`,
    );
  });

  it('the owner holds every right: MYRIGHTS, GETACL and LISTRIGHTS on an own mailbox', async () => {
    const c = await login(USER);
    await transcript(
      c,
      `C: A003 MYRIGHTS INBOX
       S: * MYRIGHTS INBOX lrswipkxteacd
       S: A003 OK MYRIGHTS completed
       C: A002 GETACL INBOX
       S: * ACL INBOX ${USER} lrswipkxteacd
       S: A002 OK GETACL completed
       C: a001 LISTRIGHTS INBOX ${USER}
       S: * LISTRIGHTS INBOX ${USER} lrswipkxteacd
       S: a001 OK LISTRIGHTS completed
       C: a005 listrights INBOX ${BOB}
       S: * LISTRIGHTS INBOX ${BOB} "" l r s w i p k x t e a c d
       S: a005 OK LISTRIGHTS completed
       C: a006 LISTRIGHTS INBOX anyone
       S: * LISTRIGHTS INBOX anyone "" l r s w i p k x t e a c d
       S: a006 OK LISTRIGHTS completed
       C: a007 LISTRIGHTS INBOX nobody@example.test
       S: * LISTRIGHTS INBOX nobody@example.test "" l r s w i p k x t e a c d
       S: a007 OK LISTRIGHTS completed`,
    );
  });

  it('RFC 4314 §2.1.1 and §3.1-§3.2 examples: d and c expand, +/- modify, bad rights are BAD', async () => {
    await aliceBox('Drafts2', 0);
    const c = await login(USER);
    await transcript(
      c,
      `C: A001 SeTacl Drafts2 ${BOB} lrswida
       S: A001 OK SETACL completed
       C: A002 getacl Drafts2
       S: * ACL Drafts2 ${USER} lrswipkxteacd ${BOB} lrswitead
       S: A002 OK GETACL completed
       C: A003 Setacl Drafts2 ${CAROL} lrswikda
       S: A003 OK SETACL completed
       C: A004 getAcl Drafts2
       S: * ACL Drafts2 ${USER} lrswipkxteacd ${BOB} lrswitead ${CAROL} lrswikteacd
       S: A004 OK GETACL completed
       C: A005 SETACL Drafts2 ${BOB} lrswi
       S: A005 OK SETACL completed
       C: A006 SETACL Drafts2 ${BOB} +cda
       S: A006 OK SETACL completed
       C: A007 GETACL Drafts2
       S: * ACL Drafts2 ${USER} lrswipkxteacd ${BOB} lrswikxteacd ${CAROL} lrswikteacd
       S: A007 OK GETACL completed
       C: A008 SETACL Drafts2 ${BOB} -wd
       S: A008 OK SETACL completed
       C: A035 SETACL Drafts2 John lrQswicda
       S: A035 BAD Uppercase rights are not allowed
       C: A036 SETACL Drafts2 John lrqswicda
       S: A036 BAD The q right is not supported
       C: B002 DeleteAcl Drafts2 ${CAROL}
       S: B002 OK DELETEACL completed
       C: B003 GETACL Drafts2
       S: * ACL Drafts2 ${USER} lrswipkxteacd ${BOB} lrsikxac
       S: B003 OK GETACL completed
       C: B004 SETACL Drafts2 ${BOB} ""
       S: B004 OK SETACL completed
       C: B005 GETACL Drafts2
       S: * ACL Drafts2 ${USER} lrswipkxteacd
       S: B005 OK GETACL completed`,
    );
  });

  it('groups, the owner and (by default, auth.acl_anyone) grants to anyone are refused with NO [CANNOT]; bad identifiers and names elsewhere are refused', async () => {
    await aliceBox('Ids', 0);
    const c = await login(USER);
    await transcript(
      c,
      `C: a SETACL Ids $team lr
       S: a NO [CANNOT] Groups ("$team") are not supported; name an account address, anyone or authenticated
       C: b SETACL Ids - w
       S: b NO [CANNOT] The identifier "-" is not valid
       C: d SETACL Ids ${USER} lr
       S: d NO [CANNOT] The owner's rights cannot be changed
       C: d2 SETACL Ids -${USER} lr
       S: d2 NO [CANNOT] The owner's rights cannot be changed
       C: e DELETEACL Ids ${USER}
       S: e NO [CANNOT] The owner's rights cannot be changed
       C: e1 SETACL Ids anyone lr
       S: e1 NO [CANNOT] Rights for "anyone" are not given here (an administrator can: letterbox mailbox share)
       C: e2 SETACL Ids Authenticated +l
       S: e2 NO [CANNOT] Rights for "Authenticated" are not given here (an administrator can: letterbox mailbox share)
       C: e3 SETACL Ids -anyone l
       S: e3 OK SETACL completed
       C: e4 SETACL Ids anyone -l
       S: e4 OK SETACL completed
       C: e5 DELETEACL Ids anyone
       S: e5 OK DELETEACL completed
       C: e6 GETACL Ids
       S: * ACL Ids ${USER} lrswipkxteacd -anyone l
       S: e6 OK GETACL completed
       C: f SETACL Ids "" lr
       S: f BAD Empty identifier
       C: g SETACL Ids ${BOB}
       S: g BAD Missing rights
       C: h SETACL Nowhere ${BOB} lr
       S: h NO [NONEXISTENT] Mailbox "Nowhere" does not exist
       C: i CREATE "Other Users/x"
       S: i NO [NOPERM] Permission denied: mailboxes cannot be created as "Other Users/x"
       C: j RENAME Ids "Other Users/${BOB}/Ids"
       S: j NO [NOPERM] Permission denied: mailboxes cannot be created as "Other Users/${BOB}/Ids"
       C: k CREATE "Other Users/${BOB}/INBOX/x"
       S: k NO [NOPERM] Permission denied: mailboxes cannot be created as "Other Users/${BOB}/INBOX/x"`,
    );
  });

  it('without a grant, another account\'s mailbox answers exactly like one that does not exist', async () => {
    await aliceBox('Secret');
    const before = await messages('Secret');
    const b = await login(DAVE);
    const absent = [`${OU}/NoSuchBox`, 'Other Users/nobody@example.test/INBOX'];
    const probe = async (name: string) => {
      const out: string[] = [];
      for (const cmd of [
        `SELECT "${name}"`,
        `EXAMINE "${name}"`,
        `STATUS "${name}" (MESSAGES UIDNEXT)`,
        `GETACL "${name}"`,
        `MYRIGHTS "${name}"`,
        `LISTRIGHTS "${name}" ${DAVE}`,
        `SETACL "${name}" ${DAVE} lrswipkxtea`,
        `DELETEACL "${name}" ${DAVE}`,
        `DELETE "${name}"`,
        `APPEND "${name}" {3+}\r\nhi!`,
      ]) {
        const r = await b.command(`t ${cmd}`);
        out.push(`${r.untagged.join('|')} ${r.tagged}`.replaceAll(name, '<name>'));
      }
      return out;
    };
    const secret = await probe(`${OU}/Secret`);
    for (const line of secret) assert.match(line, /^ t NO \[NONEXISTENT\] Mailbox "<name>" does not exist$/);
    for (const other of absent) assert.deepEqual(await probe(other), secret);
    // COPY and MOVE from bob's own mailbox into it
    await server.t.ctx.store.append((await server.t.ctx.store.getAccount(DAVE))!.id, (await server.t.ctx.store.getMailbox((await server.t.ctx.store.getAccount(DAVE))!.id, 'INBOX'))!.id, { raw: msg('dave own'), flags: [] });
    await transcript(
      b,
      `C: s SELECT INBOX
       S*: s OK [READ-WRITE] SELECT completed
       C: c COPY 1 "${OU}/Secret"
       S: c NO [NONEXISTENT] Mailbox "${OU}/Secret" does not exist
       C: m MOVE 1 "${OU}/Secret"
       S: m NO [NONEXISTENT] Mailbox "${OU}/Secret" does not exist
       C: l LIST "" "*"
       S*: l OK LIST completed
       C: l2 LIST "Other Users/" "*"
       S: l2 OK LIST completed`,
    );
    const l = await b.command('l3 LIST "" "*"');
    assert.ok(!l.untagged.some((x) => x.includes('Other Users') || x.includes('Secret')), l.untagged.join('\n'));
    assert.deepEqual(await messages('Secret'), before);
    // alice's ACL is unchanged by bob's SETACL attempt
    const a = await login(USER);
    await transcript(a, `C: g GETACL Secret\nS: * ACL Secret ${USER} lrswipkxteacd\nS: g OK GETACL completed`);
  });

  it('with "lr" bob lists, reads and searches the mailbox, but cannot change it', async () => {
    await aliceBox('ReadOnly');
    await grant('ReadOnly', BOB, 'lr');
    const before = await messages('ReadOnly');
    const b = await login(BOB);
    await transcript(
      b,
      `C: l LIST "" "Other Users/*" RETURN (MYRIGHTS)
       S: * LIST (\\Noselect \\HasChildren) "/" "Other Users/${USER}"
       S*: * LIST (\\HasNoChildren) "/" "${OU}/ReadOnly"
       S: * MYRIGHTS "${OU}/ReadOnly" lr
       S: l OK LIST completed
       C: m MYRIGHTS "${OU}/ReadOnly"
       S: * MYRIGHTS "${OU}/ReadOnly" lr
       S: m OK MYRIGHTS completed
       C: g GETACL "${OU}/ReadOnly"
       S: g NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the a right is needed)
       C: st STATUS "${OU}/ReadOnly" (MESSAGES)
       S: * STATUS "${OU}/ReadOnly" (MESSAGES 2)
       S: st OK STATUS completed
       C: ap APPEND "${OU}/ReadOnly" {3+}\\r\\nhi!
       S: ap NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the i right is needed)
       C: s SELECT "${OU}/ReadOnly"
       S: * 2 EXISTS
       S: * … RECENT
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
       S: * OK [PERMANENTFLAGS ()] Flags permitted
       S*: s OK [READ-ONLY] SELECT completed
       C: f FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)])
       S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {23}\\r\\nSubject: ReadOnly 1\\r\\n\\r\\n)
       S: f OK FETCH completed
       C: se SEARCH SUBJECT "ReadOnly 2"
       S: * SEARCH 2
       S: se OK SEARCH completed
       C: x STORE 1 +FLAGS (\\Seen)
       S: x NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the s right is needed)
       C: y STORE 1 +FLAGS (\\Deleted)
       S: y NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the t right is needed)
       C: z EXPUNGE
       S: z NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the e right is needed)
       C: mv MOVE 1 INBOX
       S: mv NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the t right is needed)
       C: d DELETE "${OU}/ReadOnly"
       S: d NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the x right is needed)
       C: sa SETACL "${OU}/ReadOnly" ${BOB} lrswipkxtea
       S: sa NO [NOPERM] Permission denied on "${OU}/ReadOnly" (the a right is needed)`,
    );
    // FETCH BODY[] without "s" does not set \Seen; COPY out into bob's own mailbox works
    await transcript(
      b,
      `C: f2 FETCH 2 (BODY[TEXT])
       S: * 2 FETCH (BODY[TEXT] {14}\\r\\nHello there.\\r\\n)
       S: f2 OK FETCH completed
       C: c COPY 1:2 INBOX
       S: c OK [COPYUID … 1:2 …] COPY completed`,
    );
    assert.deepEqual(await messages('ReadOnly'), before);
  });

  it('with "lrs" and "lrsw", STORE keeps the flags the rights allow (RFC 4314 §4) and refuses the rest', async () => {
    await aliceBox('Flags');
    await grant('Flags', BOB, 'lrs');
    const b = await login(BOB);
    await transcript(
      b,
      `C: s SELECT "${OU}/Flags"
       S: * 2 EXISTS
       S: * … RECENT
       S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
       S: * OK [PERMANENTFLAGS (\\Seen)] Flags permitted
       S*: s OK [READ-WRITE] SELECT completed
       C: a STORE 1 +FLAGS (\\Seen \\Flagged)
       S: * 1 FETCH (FLAGS (\\Seen …))
       S: a OK STORE completed
       C: b STORE 2 FLAGS (\\Seen)
       S: b NO [NOPERM] Permission denied on "${OU}/Flags" (the w right is needed)
       C: c STORE 2 +FLAGS ($Work)
       S: c NO [NOPERM] Permission denied on "${OU}/Flags" (the w right is needed)
       C: d FETCH 2 BODY[TEXT]
       S: * 2 FETCH (BODY[TEXT] {14}\\r\\nHello there.\\r\\n FLAGS (\\Seen …))
       S: d OK FETCH completed`,
    );
    assert.deepEqual(
      (await messages('Flags')).map((m) => m.flags),
      [['\\Seen'], ['\\Seen']],
    );
  });

  it('with write rights bob appends, copies, moves, stores and expunges, and alice\'s IDLE sees it (and the other way round)', async () => {
    await aliceBox('Team', 1);
    await grant('Team', BOB, 'lrswitei');
    const bobId = (await server.t.ctx.store.getAccount(BOB))!.id;
    const bobInbox = (await server.t.ctx.store.getMailbox(bobId, 'INBOX'))!;
    await server.t.ctx.store.createMailbox(bobId, 'Outbox');
    const outbox = (await server.t.ctx.store.getMailbox(bobId, 'Outbox'))!;
    await server.t.ctx.store.append(bobId, outbox.id, { raw: msg('from bob 1'), flags: ['\\Seen', '$Bob'] });
    await server.t.ctx.store.append(bobId, outbox.id, { raw: msg('from bob 2'), flags: [] });
    void bobInbox;

    const a = await login(USER);
    await transcript(a, `C: s SELECT Team\nS*: s OK [READ-WRITE] SELECT completed\nC: i IDLE\nS: + idling`);
    const b = await login(BOB);
    await transcript(
      b,
      `C: ap APPEND "${OU}/Team" (\\Seen \\Flagged) {3+}\\r\\nhi!
       S: ap OK [APPENDUID … 2] APPEND completed`,
    );
    await transcript(a, `S*: * 2 EXISTS`);
    await transcript(
      b,
      `C: s SELECT Outbox
       S*: s OK [READ-WRITE] SELECT completed
       C: c COPY 1 "${OU}/Team"
       S: c OK [COPYUID … 1 3] COPY completed
       C: m MOVE 2 "${OU}/Team"
       S: * OK [COPYUID … 2 4] Moved
       S: * 2 EXPUNGE
       S: m OK MOVE completed`,
    );
    await transcript(a, `S*: * 4 EXISTS\nC: DONE\nS*: i OK IDLE terminated`);
    const msgs = await messages('Team');
    assert.deepEqual(msgs.map((m) => m.flags), [[], ['\\Flagged', '\\Seen'], ['$Bob', '\\Seen'], []]);

    // bob IDLEs on the shared mailbox; alice's changes reach him
    await transcript(b, `C: s2 SELECT "${OU}/Team"\nS*: s2 OK [READ-WRITE] SELECT completed\nC: i IDLE\nS: + idling`);
    await transcript(a, `C: st STORE 1 +FLAGS (\\Deleted)\nS: * 1 FETCH (FLAGS (\\Deleted…))\nS: st OK STORE completed`);
    await transcript(b, `S: * 1 FETCH (FLAGS (\\Deleted…))\nC: DONE\nS: i OK IDLE terminated`);
    await transcript(
      b,
      `C: x EXPUNGE
       S: * 1 EXPUNGE
       S: x OK EXPUNGE completed`,
    );
    await transcript(a, `C: n NOOP\nS: * 1 EXPUNGE\nS: n OK NOOP completed`);
    assert.equal((await messages('Team')).length, 3);
  });

  it('a revoked grant holds from bob\'s next command, also on the mailbox he has selected', async () => {
    await aliceBox('Revoke');
    await grant('Revoke', BOB, 'lrs');
    const b = await login(BOB);
    await transcript(b, `C: s SELECT "${OU}/Revoke"\nS*: s OK [READ-WRITE] SELECT completed\nC: f FETCH 1 FLAGS\nS: * 1 FETCH (FLAGS (…))\nS: f OK FETCH completed`);
    const a = await login(USER);
    await transcript(a, `C: d DELETEACL Revoke ${BOB}\nS: d OK DELETEACL completed`);
    await transcript(
      b,
      `C: f2 FETCH 1 FLAGS
       S: f2 NO [NONEXISTENT] Mailbox "${OU}/Revoke" does not exist
       C: x STORE 1 +FLAGS (\\Seen)
       S: x NO [NONEXISTENT] Mailbox "${OU}/Revoke" does not exist
       C: st STATUS "${OU}/Revoke" (MESSAGES)
       S: st NO [NONEXISTENT] Mailbox "${OU}/Revoke" does not exist
       C: u UNSELECT
       S: u OK UNSELECT completed`,
    );
    // "l" alone: visible, but reading is NOPERM
    await grant('Revoke', BOB, 'l');
    await transcript(
      b,
      `C: s SELECT "${OU}/Revoke"
       S: s NO [NOPERM] Permission denied on "${OU}/Revoke" (the r right is needed)`,
    );
    assert.deepEqual((await messages('Revoke')).map((m) => m.flags), [[], []]);
  });

  it('after a revoke nothing more about the mailbox reaches bob: not in IDLE, not after NOOP', async () => {
    const mbId = await aliceBox('Quiet', 1);
    await grant('Quiet', BOB, 'lr');
    const store = server.t.ctx.store;
    const b = await login(BOB);
    await transcript(b, `C: s SELECT "${OU}/Quiet"\nS*: s OK [READ-ONLY] SELECT completed\nC: i IDLE\nS: + idling`);
    // while the grant holds, IDLE reports alice's new message
    await store.append(aliceId, mbId, { raw: msg('Quiet 2'), flags: [] });
    await transcript(b, `S: * 2 EXISTS\nS: * … RECENT`);
    const a = await login(USER);
    await transcript(a, `C: d DELETEACL Quiet ${BOB}\nS: d OK DELETEACL completed`);
    await store.append(aliceId, mbId, { raw: msg('Quiet 3'), flags: ['\\Flagged'] });
    await transcript(a, `C: s SELECT Quiet\nS*: s OK [READ-WRITE] SELECT completed\nC: f STORE 1 +FLAGS (\\Seen)\nS*: f OK STORE completed`);
    b.send('DONE');
    const lines: string[] = [];
    for (;;) {
      const l = await b.readLine();
      lines.push(l);
      if (l.startsWith('n ')) break;
      if (l.startsWith('i ')) b.send('n NOOP');
    }
    assert.deepEqual(lines, ['i OK IDLE terminated', 'n OK NOOP completed']);
  });

  it('bob with "a" administers the ACL; RENAME keeps grants, DELETE drops them (a new mailbox of the same name is not shared)', async () => {
    await aliceBox('Admin', 0);
    await grant('Admin', BOB, 'lra');
    const b = await login(BOB);
    await transcript(
      b,
      `C: a SETACL "${OU}/Admin" ${CAROL} lr
       S: a OK SETACL completed
       C: g GETACL "${OU}/Admin"
       S: * ACL "${OU}/Admin" ${USER} lrswipkxteacd ${BOB} lra ${CAROL} lr
       S: g OK GETACL completed
       C: l LISTRIGHTS "${OU}/Admin" ${USER}
       S: * LISTRIGHTS "${OU}/Admin" ${USER} lrswipkxteacd
       S: l OK LISTRIGHTS completed`,
    );
    const a = await login(USER);
    await transcript(a, `C: r RENAME Admin Admin2\nS: r OK RENAME completed`);
    await transcript(b, `C: m MYRIGHTS "${OU}/Admin2"\nS: * MYRIGHTS "${OU}/Admin2" lra\nS: m OK MYRIGHTS completed`);
    await transcript(a, `C: d DELETE Admin2\nS: d OK DELETE completed\nC: c CREATE Admin2\nS: c OK … CREATE completed`);
    await transcript(b, `C: m MYRIGHTS "${OU}/Admin2"\nS: m NO [NONEXISTENT] Mailbox "${OU}/Admin2" does not exist`);
    const c = await login(CAROL);
    await transcript(c, `C: l LIST "" "*"\nS*: l OK LIST completed\nC: m MYRIGHTS "${OU}/Admin2"\nS: m NO [NONEXISTENT] Mailbox "${OU}/Admin2" does not exist`);
  });

  it('RFC 4314 §4: "k" lets bob create and rename below alice\'s mailbox; new mailboxes take their parent\'s ACL', async () => {
    await aliceBox('Proj', 0);
    await aliceBox('Proj/Hidden', 0); // made before the grant: not shared
    await grant('Proj', BOB, 'lrk');
    const b = await login(BOB);
    await transcript(
      b,
      `C: c CREATE "${OU}/Proj/Notes"
       S: c OK [MAILBOXID (…)] CREATE completed
       C: m MYRIGHTS "${OU}/Proj/Notes"
       S: * MYRIGHTS "${OU}/Proj/Notes" lrkc
       S: m OK MYRIGHTS completed
       C: c2 CREATE "${OU}/Proj/Hidden/Deeper"
       S: c2 NO [NOPERM] Permission denied: mailboxes cannot be created as "${OU}/Proj/Hidden/Deeper"
       C: c3 CREATE "${OU}/Elsewhere"
       S: c3 NO [NOPERM] Permission denied: mailboxes cannot be created as "${OU}/Elsewhere"
       C: c4 CREATE "${OU}/Proj/Sent" (USE (\\Sent))
       S: c4 NO [USEATTR] Special use is set on one's own mailboxes only
       C: r RENAME "${OU}/Proj/Notes" "${OU}/Proj/Notes2"
       S: r NO [NOPERM] Permission denied on "${OU}/Proj/Notes" (the x right is needed)`,
    );
    const store = server.t.ctx.store;
    assert.ok(await store.getMailbox(aliceId, 'Proj/Notes'));
    assert.equal(await store.getMailbox((await store.getAccount(BOB))!.id, 'Proj/Notes'), null);
    // alice creating below a shared mailbox shares the new one the same way
    await grant('Proj', BOB, 'lrkx');
    const a = await login(USER);
    await transcript(a, `C: c CREATE Proj/Plans\nS: c OK … CREATE completed\nC: g GETACL Proj/Plans\nS: * ACL Proj/Plans ${USER} lrswipkxteacd ${BOB} lrkxc\nS: g OK GETACL completed`);
    await transcript(
      b,
      `C: r2 RENAME "${OU}/Proj/Plans" "${OU}/Proj/Notes/Plans"
       S: r2 OK RENAME completed
       C: r3 RENAME "${OU}/Proj/Notes/Plans" INBOX/Plans
       S: r3 NO [NOPERM] A mailbox cannot be moved to another account
       C: r4 RENAME INBOX "${OU}/Proj/Mine"
       S: r4 NO [NOPERM] A mailbox cannot be moved to another account
       C: l LIST "" "${OU}/Proj/*"
       S*: * LIST (\\HasNoChildren) "/" "${OU}/Proj/Notes/Plans"
       S*: l OK LIST completed`,
    );
    assert.ok(await store.getMailbox(aliceId, 'Proj/Notes/Plans'));
    assert.equal(await store.getMailbox(aliceId, 'Proj/Plans'), null);
  });

  it('bob with "x" deletes alice\'s mailbox; its grants go with it', async () => {
    await aliceBox('Doomed', 1);
    await grant('Doomed', BOB, 'lrx');
    const b = await login(BOB);
    await transcript(b, `C: d DELETE "${OU}/Doomed"\nS: d OK DELETE completed`);
    assert.equal(await server.t.ctx.store.getMailbox(aliceId, 'Doomed'), null);
    const l = await b.command('l LIST "" "Other Users/*"');
    assert.ok(!l.untagged.some((x) => x.includes('Doomed')), l.untagged.join('\n'));
  });

  it('RFC 8440: LIST RETURN (MYRIGHTS) on own mailboxes, with STATUS', async () => {
    const c = await login(CAROL);
    await transcript(
      c,
      `C: T1 LIST "" "%" RETURN (MYRIGHTS STATUS (MESSAGES))
       S*: * LIST (\\HasNoChildren) "/" INBOX
       S: * STATUS INBOX (MESSAGES 0)
       S: * MYRIGHTS INBOX lrswipkxteacd
       S*: T1 OK LIST completed`,
    );
  });
});
