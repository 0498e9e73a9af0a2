/** Interop: python3 imaplib sends ESEARCH IN (...) (RFC 7377) and reads the ESEARCH responses of several mailboxes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const SCRIPT = String.raw`
import imaplib, json, sys
imaplib.Commands['ESEARCH'] = ('AUTH', 'SELECTED')
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=10)
M.login(sys.argv[2], sys.argv[3])
typ, data = M._simple_command('ESEARCH', 'IN', '(personal)', 'RETURN', '(COUNT)', 'SUBJECT', 'report')
_, found = M._untagged_response(typ, data, 'ESEARCH')
M.logout()
print(json.dumps([typ, [d.decode() for d in found if d is not None]]))
`;

test('python3 imaplib ESEARCH over several mailboxes', { skip: !has('python3') && 'python3 not installed' }, async () => {
  const server = await startServer();
  try {
    const store = server.t.ctx.store;
    const id = (await store.getAccount(USER))!.id;
    await seed(server, 'INBOX', [msg('report one'), msg('other'), msg('report two')]);
    await seed(server, 'Archive', [msg('old report')]);
    const uv = Object.fromEntries((await store.listMailboxes(id)).map((m) => [m.name, m.uidValidity]));
    const r = await run('python3', ['-c', SCRIPT, String(server.port), USER, PASS]);
    assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
    const [typ, found] = JSON.parse(r.stdout) as [string, string[]];
    assert.equal(typ, 'OK');
    // imaplib picks its own tags; the rest of each response is fixed
    assert.deepEqual(
      found.map((l) => l.replace(/^\(TAG "[^"]+" /, '(TAG "t" ')).sort(),
      [`(TAG "t" MAILBOX Archive UIDVALIDITY ${uv.Archive}) UID COUNT 1`, `(TAG "t" MAILBOX INBOX UIDVALIDITY ${uv.INBOX}) UID COUNT 2`],
    );
  } finally {
    await server.close();
  }
});
