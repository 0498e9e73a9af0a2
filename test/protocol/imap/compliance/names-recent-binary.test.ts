/**
 * The three compliance groups issue 11 found failing:
 * - a name that is a valid atom but not valid modified UTF-7 (RFC 3501 §5.1.3): SELECT and
 *   the other mailbox commands answer NO, not BAD; LIST with such a pattern plus %* answers
 *   OK and the connection stays open (ten BADs in a row used to close it);
 * - EXAMINE reports the same RECENT as SELECT without clearing it (RFC 3501 §6.3.2);
 * - FETCH BODY[n] of an empty part of a message APPENDed as literal8 is the literal {0}
 *   (the choice for binary content is written in src/imap/commands/fetch-render.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, transcript, type ImapServer } from '../harness.js';

const NAME = "!#$&'+,-.0123456789:;<=>?@^_|[}";

describe('imap compliance: odd names, EXAMINE RECENT, empty binary parts', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('a valid atom that is not modified UTF-7 is NO for SELECT/CREATE/STATUS, and LIST with it plus %* is OK', async () => {
    const c = await server.login();
    const steps = [];
    for (let i = 0; i < 12; i++) steps.push(`C: s${i} SELECT ${NAME}`, `S: s${i} NO [CANNOT] Mailbox name is not valid modified UTF-7 (bad base64)`);
    await transcript(
      c,
      `${steps.join('\n')}
       C: c1 CREATE ${NAME}
       S: c1 NO [CANNOT] …
       C: t1 STATUS ${NAME} (MESSAGES)
       S: t1 NO [CANNOT] …
       C: l1 LIST "" ${NAME}%*
       S: l1 OK LIST completed
       C: l2 LIST "" "${NAME}%*"
       S: l2 OK LIST completed
       C: n1 NOOP
       S: n1 OK NOOP completed`,
    );
    assert.equal(c.closed, false);
  });

  it('EXAMINE shows the RECENT that SELECT will claim, and leaves it to SELECT', async () => {
    const c = await server.login();
    await transcript(c, 'C: c CREATE Rec\nS: c OK [MAILBOXID (…)] CREATE completed');
    await seed(server, 'Rec', [msg('r1'), msg('r2'), msg('r3')]);
    await transcript(
      c,
      `C: e1 EXAMINE Rec
       S: * 3 EXISTS
       S: * 3 RECENT
       S*: e1 OK [READ-ONLY] EXAMINE completed
       C: f1 FETCH 3 FLAGS
       S: * 3 FETCH (FLAGS (\\Recent))
       S: f1 OK FETCH completed
       C: s1 SELECT Rec
       S*: * 3 RECENT
       S*: s1 OK [READ-WRITE] SELECT completed
       C: e2 EXAMINE Rec
       S*: * 0 RECENT
       S*: e2 OK [READ-ONLY] EXAMINE completed`,
    );
  });

  it('BODY[1] of an empty part of a message APPENDed as literal8 is {0}', async () => {
    const c = await server.login();
    const raw = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n' +
        'Content-Transfer-Encoding: binary\r\n\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n' +
        'Content-Transfer-Encoding: binary\r\n\r\nx\0y\r\n--b--\r\n',
      'latin1',
    );
    await transcript(c, 'C: c CREATE Bin\nS: c OK [MAILBOXID (…)] CREATE completed');
    c.send(Buffer.concat([Buffer.from(`a APPEND Bin ~{${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
    assert.match(await c.readLine(), /^a OK \[APPENDUID/);
    await transcript(
      c,
      `C: s EXAMINE Bin
       S*: s OK [READ-ONLY] EXAMINE completed
       C: f1 FETCH 1 (BODY.PEEK[1] BINARY.PEEK[1] BINARY.SIZE[1])
       S: * 1 FETCH (BODY[1] {0}\\r\\n BINARY[1] {0}\\r\\n BINARY.SIZE[1] 0)
       S: f1 OK FETCH completed
       C: f2 FETCH 1 (BODY.PEEK[2] BINARY.PEEK[2])
       S: * 1 FETCH (BODY[2] {3}\\r\\nx…y BINARY[2] ~{3}\\r\\nx\0y)
       S: f2 OK FETCH completed`,
    );
  });
});
