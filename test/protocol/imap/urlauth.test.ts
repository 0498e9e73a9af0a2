/**
 * URLAUTH (RFC 4467) and URLAUTH=BINARY (RFC 5524): alice signs a URL of her own message,
 * bob fetches it with URLFETCH; tampered, expired, revoked (RESETKEY) or not-for-you URLs
 * are NIL; GENURLAUTH only signs the caller's own mailboxes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASS, seed, startServer, USER, type ImapClient, type ImapServer } from './harness.js';

const BOB = 'bob@example.test';
const MESSAGE =
  'Subject: shared\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello bob\r\n' +
  '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n';

describe('imap URLAUTH', () => {
  let server: ImapServer;
  let uv = 0;
  before(async () => {
    server = await startServer();
    await server.t.addUser(BOB, PASS);
    await seed(server, 'INBOX', [Buffer.from(MESSAGE)]);
    const a = (await server.t.ctx.store.getAccount(USER))!;
    uv = (await server.t.ctx.store.getMailbox(a.id, 'INBOX'))!.uidValidity;
  });
  after(() => server.close());

  async function bob(): Promise<ImapClient> {
    const c = await server.connect();
    await c.readLine();
    assert.match((await c.command(`l LOGIN ${BOB} "${PASS}"`)).tagged, /^l OK/);
    return c;
  }
  const rump = (access: string, extra = '') => `imap://alice%40example.test@localhost/INBOX;UIDVALIDITY=${uv}/;UID=1/;SECTION=1${extra};URLAUTH=${access}`;

  it('signs a URL that another user can fetch, until RESETKEY', async () => {
    const a = await server.login();
    const g = await a.command(`g1 GENURLAUTH "${rump('authuser')}" INTERNAL`);
    assert.match(g.tagged, /^g1 OK/);
    const url = /^\* GENURLAUTH "(.*)"$/.exec(g.untagged[0]!)![1]!;
    assert.match(url, /;URLAUTH=authuser:INTERNAL:[0-9a-f]{64}$/);
    const b = await bob();
    let f = await b.command(`f1 URLFETCH "${url}"`);
    assert.equal(f.untagged[0], `* URLFETCH "${url}" {9}\r\nhello bob`);
    const tampered = url.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
    f = await b.command(`f2 URLFETCH "${tampered}" "${url.replace('UID=1', 'UID=2')}"`);
    assert.deepEqual(f.untagged, [`* URLFETCH "${tampered}" NIL`, `* URLFETCH "${url.replace('UID=1', 'UID=2')}" NIL`]);
    // RFC 5524: structure and decoded bytes of the binary part
    const g2 = await a.command(`g2 GENURLAUTH "${rump('user+bob@example.test').replace('SECTION=1', 'SECTION=2')}" INTERNAL`);
    const url2 = /^\* GENURLAUTH "(.*)"$/.exec(g2.untagged[0]!)![1]!;
    f = await b.command(`f3 URLFETCH ("${url2}" BODYPARTSTRUCTURE BINARY)`);
    assert.ok(f.untagged[0]!.startsWith(`* URLFETCH "${url2}" (BODYPARTSTRUCTURE ("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 8 `), f.untagged[0]);
    assert.ok(f.untagged[0]!.endsWith('(BINARY ~{4}\r\n\u0000\u0001\u0002\u0003)'), JSON.stringify(f.untagged[0]));
    // for bob only: alice herself gets NIL
    f = await a.command(`f4 URLFETCH "${url2}"`);
    assert.equal(f.untagged[0], `* URLFETCH "${url2}" NIL`);
    assert.match((await a.command('r1 RESETKEY INBOX INTERNAL')).tagged, /^r1 OK/);
    f = await b.command(`f5 URLFETCH "${url}"`);
    assert.equal(f.untagged[0], `* URLFETCH "${url}" NIL`);
  });

  it('refuses to sign what is not the caller\'s, expired URLs are NIL', async () => {
    const b = await bob();
    const r = await b.command(`g1 GENURLAUTH "${rump('anonymous')}" INTERNAL`);
    assert.match(r.tagged, /^g1 NO \[BADURL /);
    assert.match((await b.command(`g2 GENURLAUTH "${rump('anonymous').replace(';URLAUTH=anonymous', '')}" INTERNAL`)).tagged, /^g2 NO \[BADURL /);
    const a = await server.login();
    assert.match((await a.command(`g3 GENURLAUTH "${rump('anonymous')}" XSECRET`)).tagged, /^g3 NO \[BADURL /);
    const g = await a.command(`g4 GENURLAUTH "${rump('anonymous', ';EXPIRE=2001-01-01T00:00:00Z')}" INTERNAL`);
    const url = /^\* GENURLAUTH "(.*)"$/.exec(g.untagged[0]!)![1]!;
    assert.equal((await b.command(`f1 URLFETCH "${url}"`)).untagged[0], `* URLFETCH "${url}" NIL`);
  });
});
