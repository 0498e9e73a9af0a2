/**
 * APPEND (RFC 9051 §6.3.12; LITERAL+ RFC 7888; MULTIAPPEND RFC 3502; APPENDUID RFC 4315;
 * APPENDLIMIT RFC 7889) and FETCH (RFC 9051 §6.4.5, §7.5.2; BINARY RFC 3516).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { msg, seed, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap APPEND', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer({ config: { limits: { message_size: 2000 } } });
  });
  after(() => server.close());

  it('appends with a synchronising literal, flags and date; answers APPENDUID', async () => {
    const c = await server.login();
    const m = 'Subject: hi\r\n\r\nhello\r\n';
    await transcript(
      c,
      `C: a1 APPEND INBOX (\\Seen $Label) "05-Jan-2024 10:11:12 +0100" {${m.length}}
       S: + Ready for literal data
       C: ${m.replace(/\r\n/g, '\\r\\n')}
       S: a1 OK [APPENDUID … 1] APPEND completed
       C: a2 APPEND INBOX {${m.length}+}\\r\\n${m.replace(/\r\n/g, '\\r\\n')}
       S: a2 OK [APPENDUID … 2] APPEND completed
       C: a3 APPEND INBOX {3+}\\r\\nabc {3+}\\r\\ndef
       S: a3 OK [APPENDUID … 3:4] APPEND completed
       C: a4 APPEND Nowhere {3+}\\r\\nabc
       S: a4 NO [TRYCREATE] Mailbox "Nowhere" does not exist
       C: a5 APPEND INBOX {5000}
       S: a5 NO [TOOBIG] …
       C: a6 APPEND INBOX "not a literal"
       S: a6 BAD …
       C: s1 SELECT INBOX
       S: * 4 EXISTS
       S*: s1 OK [READ-WRITE] SELECT completed
       C: f1 FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)
       S: * 1 FETCH (FLAGS (\\Seen $Label \\Recent) INTERNALDATE "05-Jan-2024 09:11:12 +0000" RFC822.SIZE ${m.length})
       S: f1 OK FETCH completed`,
    );
  });

  it('APPEND to the selected mailbox announces EXISTS', async () => {
    const c = await server.login();
    await c.command('s1 SELECT Drafts');
    await transcript(
      c,
      `C: a1 APPEND Drafts (\\Draft) {3+}\\r\\nabc
       S: * 1 EXISTS
       S: * 1 RECENT
       S: a1 OK [APPENDUID … 1] APPEND completed`,
    );
  });
});

describe('imap FETCH', () => {
  let server: ImapServer;
  const fixture = (n: string) => readFileSync(join(process.cwd(), 'test/fixtures/mime', n));
  before(async () => {
    server = await startServer();
    await seed(server, 'INBOX', [msg('first', 'Body one.\r\n'), fixture('alternative.eml'), fixture('bare-lf.eml')]);
  });
  after(() => server.close());

  it('returns BODY[] byte-exact, including bare LF messages', async () => {
    const c = await server.login();
    await c.command('s1 EXAMINE INBOX');
    for (const [seq, raw] of [[2, fixture('alternative.eml')], [3, fixture('bare-lf.eml')]] as const) {
      c.send(`f${seq} FETCH ${seq} BODY.PEEK[]`);
      const line = await c.readRaw();
      const head = `* ${seq} FETCH (BODY[] {${raw.length}}\r\n`;
      assert.equal(line.subarray(0, head.length).toString('latin1'), head);
      assert.ok(line.subarray(head.length, head.length + raw.length).equals(raw), 'BODY[] bytes differ from stored bytes');
      assert.equal(line.subarray(head.length + raw.length).toString(), ')\r\n');
      assert.match(await c.readLine(), new RegExp(`^f${seq} OK`));
    }
  });

  it('fetches headers, text, partials, envelope and structure; BODY[] sets \\Seen', async () => {
    const c = await server.login();
    await transcript(
      c,
      `C: s1 SELECT INBOX
       S: * 3 EXISTS
       S*: s1 OK [READ-WRITE] SELECT completed
       C: f1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.4>)
       S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\\r\\nSubject: first\\r\\n\\r\\n BODY[TEXT]<0> {4}\\r\\nBody)
       S: f1 OK FETCH completed
       C: f2 FETCH 1 ENVELOPE
       S: * 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "first" (("Bob" NIL "bob" "example.test")) (("Bob" NIL "bob" "example.test")) (("Bob" NIL "bob" "example.test")) (("Alice" NIL "alice" "example.test")) NIL NIL NIL "<first@example.test>"))
       S: f2 OK FETCH completed
       C: f3 FETCH 1 (BODYSTRUCTURE BODY)
       S: * 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 1 NIL NIL NIL NIL) BODY ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 1))
       S: f3 OK FETCH completed
       C: f4 FETCH 1 (FLAGS)
       S: * 1 FETCH (FLAGS (\\Recent))
       S: f4 OK FETCH completed
       C: f5 FETCH 1 BODY[TEXT]
       S: * 1 FETCH (BODY[TEXT] {11}\\r\\nBody one.\\r\\n FLAGS (\\Seen \\Recent))
       S: f5 OK FETCH completed
       C: f6 UID FETCH 1:* (RFC822.SIZE)
       S: * 1 FETCH (UID 1 RFC822.SIZE …)
       S: * 2 FETCH (UID 2 RFC822.SIZE …)
       S: * 3 FETCH (UID 3 RFC822.SIZE …)
       S: f6 OK UID FETCH completed
       C: f7 FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])
       S: * 1 FETCH (BINARY.SIZE[1] 11 BINARY[1] {11}\\r\\nBody one.\\r\\n)
       S: f7 OK FETCH completed
       C: f8 FETCH 1 RFC822.HEADER
       S: * 1 FETCH (RFC822.HEADER {…}\\r\\nFrom: Bob …\\r\\n\\r\\n)
       S: f8 OK FETCH completed
       C: f9 FETCH 9 FLAGS
       S: f9 BAD Sequence number out of range (see EXISTS)
       C: f10 FETCH 1 (FLAGS BOGUS)
       S: f10 BAD Unknown FETCH attribute "BOGUS"
       C: f11 UID FETCH 99 FLAGS
       S: f11 OK UID FETCH completed
       C: f12 FETCH 2 BODY.PEEK[1.MIME]
       S: * 2 FETCH (BODY[1.MIME] {…}\\r\\nContent-Type: …)
       S: f12 OK FETCH completed
       C: f13 FETCH 1 FAST
       S: * 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE "01-Feb-2024 10:00:00 +0000" RFC822.SIZE …)
       S: f13 OK FETCH completed`,
    );
  });
});

describe('imap APPEND of binary content (RFC 3516)', () => {
  it('accepts NUL only in a literal8, stores it byte-exact; BINARY[] returns it as literal8, BODY[] as a literal with NUL sent as 0x80', async () => {
    const server = await startServer();
    try {
      const c = await server.login();
      const raw = Buffer.from('Subject: bin\r\nContent-Transfer-Encoding: binary\r\n\r\na\0b\r\n', 'latin1');
      c.send(Buffer.concat([Buffer.from(`b1 APPEND INBOX {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
      assert.match(await c.readLine(), /^b1 NO \[CANNOT\]/);
      c.send(Buffer.concat([Buffer.from(`b2 APPEND INBOX ~{${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
      assert.match(await c.readLine(), /^b2 OK \[APPENDUID \d+ 1\]/);
      await c.command('s SELECT INBOX');
      const store = server.t.ctx.store;
      const account = (await store.getAccount(USER))!;
      const stored = await store.getRaw(account.id, (await store.getMailbox(account.id, 'INBOX'))!.id, 1);
      assert.ok(stored.equals(raw), 'stored byte-exact');
      c.send('f1 FETCH 1 BINARY.PEEK[]');
      let line = await c.readRaw();
      // RFC 3516 §4.2: decoded data holding NUL is a literal8
      let head = `* 1 FETCH (BINARY[] ~{${raw.length}}\r\n`;
      assert.equal(line.subarray(0, head.length).toString('latin1'), head);
      assert.ok(line.subarray(head.length, head.length + raw.length).equals(raw));
      assert.match(await c.readLine(), /^f1 OK/);
      // RFC 9051 §9: BODY[...] is an nstring, never a literal8; a literal cannot carry NUL (§4.3)
      c.send('f2 FETCH 1 BODY.PEEK[]');
      line = await c.readRaw();
      head = `* 1 FETCH (BODY[] {${raw.length}}\r\n`;
      assert.equal(line.subarray(0, head.length).toString('latin1'), head);
      assert.ok(line.subarray(head.length, head.length + raw.length).equals(Buffer.from(raw.toString('latin1').replace(/\0/g, '\x80'), 'latin1')));
      assert.match(await c.readLine(), /^f2 OK/);
    } finally {
      await server.close();
    }
  });
});
