/** CATENATE (RFC 4469): a message joined from TEXT literals and URLs of parts of stored mail. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seed, startServer, USER, type ImapServer } from './harness.js';

const ORIGINAL =
  'Subject: draft\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
  '--b1\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n' +
  '--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n';

describe('imap CATENATE', () => {
  let server: ImapServer;
  let uv = 0;
  before(async () => {
    server = await startServer();
    await seed(server, 'Drafts', [Buffer.from(ORIGINAL)]);
    const store = server.t.ctx.store;
    const a = (await store.getAccount(USER))!;
    uv = (await store.getMailbox(a.id, 'Drafts'))!.uidValidity;
  });
  after(() => server.close());

  it('joins TEXT and URL parts (the RFC 4469 §5 example shape) into one stored message', async () => {
    const c = await server.login();
    const url = (section: string) => `"/Drafts;UIDVALIDITY=${uv}/;UID=1/;section=${section}"`;
    const t1 = '\r\n--new\r\n';
    const t2 = '\r\n--new--\r\n';
    const cmd = `A003 APPEND Drafts (\\Seen \\Draft) CATENATE (URL ${url('HEADER')} TEXT {${t1.length}+}\r\n${t1} URL ${url('2.MIME')} URL ${url('2')} TEXT {${t2.length}+}\r\n${t2})`;
    const r = await c.command(cmd);
    assert.match(r.tagged, /^A003 OK \[APPENDUID \d+ 2\]/);
    await c.command('s EXAMINE Drafts');
    const f = await c.command('f UID FETCH 2 BODY.PEEK[]');
    const head = ORIGINAL.slice(0, ORIGINAL.indexOf('\r\n\r\n') + 4);
    const mime = 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n';
    const want = head + t1 + mime + 'AAECAw==' + t2;
    assert.ok(f.untagged[0]!.includes(`{${want.length}}\r\n${want})`), f.untagged[0]);
  });

  it('refuses URLs it cannot or may not follow with NO [BADURL], appending nothing', async () => {
    const c = await server.login();
    const count = async () => /MESSAGES (\d+)\)/.exec((await c.command('s STATUS Drafts (MESSAGES)')).untagged[0]!)![1];
    const before = await count();
    const bad = [
      `"/Drafts;UIDVALIDITY=${uv + 1}/;UID=1"`,
      `"/Drafts;UIDVALIDITY=${uv}/;UID=99"`,
      `"/Nowhere/;UID=1"`,
      `"imap://eve@example.test/Drafts/;UID=1"`,
      `"/Drafts/;UID=1/;section=9"`,
      `"http://example.test/x"`,
    ];
    for (const u of bad) {
      const r = await c.command(`x APPEND Drafts CATENATE (URL ${u} TEXT {2+}\r\nhi)`);
      assert.match(r.tagged, /^x NO \[BADURL /, `${u}: ${r.tagged}`);
    }
    assert.equal(await count(), before);
    assert.match((await c.command('y APPEND Drafts CATENATE ()')).tagged, /^y BAD/);
  });
});
