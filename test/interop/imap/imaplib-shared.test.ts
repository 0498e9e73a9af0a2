/**
 * Interop: python3 imaplib with the shared namespace — a mailbox of the domain's
 * shared-mailbox owner given to "anyone" by an administrator: NAMESPACE, LIST, SELECT and
 * FETCH from one account, a DELETEACL by an account holding "a" that takes "anyone" away
 * again, after which the other account's STATUS answers NONEXISTENT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { msg, PASS, startServer, USER } from '../../protocol/imap/harness.js';
import { accountIdentifier, setGrant } from '../../../src/store/acl.js';
import { ensureSharedOwner } from '../../../src/store/shared-owner.js';

const BOB = 'bob@example.test';

const SCRIPT = String.raw`
import imaplib, json, sys
port, alice, bob, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def text(r):
    typ, data = r
    return [typ] + [d.decode() if isinstance(d, bytes) else repr(d) for d in data if d is not None]
out = {}
B = imaplib.IMAP4('127.0.0.1', port, timeout=10)
B.login(bob, pw)
out['namespace'] = text(B.namespace())
out['list'] = text(B.list('""', 'Shared/*'))
out['myrights'] = text(B.myrights('Shared/Support'))
out['select'] = text(B.select('Shared/Support', readonly=True))
out['fetch'] = text(B.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])'))
B.close()
A = imaplib.IMAP4('127.0.0.1', port, timeout=10)
A.login(alice, pw)
out['getacl'] = text(A.getacl('Shared/Support'))
out['deleteacl'] = text(A.deleteacl('Shared/Support', 'anyone'))
out['after_status'] = text(B.status('Shared/Support', '(MESSAGES)'))
out['after_list'] = text(B.list('""', 'Shared/*'))
A.logout()
B.logout()
print(json.dumps(out))
`;

test('python3 imaplib and the Shared/ namespace', { skip: !has('python3') && 'python3 not installed' }, async () => {
  const server = await startServer();
  try {
    await server.t.addUser(BOB, PASS);
    const store = server.t.ctx.store;
    const owner = await ensureSharedOwner(store, 'example.test');
    await store.createMailbox(owner.id, 'Support');
    const box = (await store.getMailbox(owner.id, 'Support'))!;
    await store.append(owner.id, box.id, { raw: msg('Ticket 1'), flags: [] });
    await setGrant(store, owner.id, box.id, { kind: 'anyone', negative: false }, 'lrs');
    await setGrant(store, owner.id, box.id, accountIdentifier((await store.getAccount(USER))!), 'lrsa');
    const r = await run('python3', ['-c', SCRIPT, String(server.port), USER, BOB, PASS]);
    assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout) as Record<string, string[]>;
    assert.deepEqual(out.namespace, ['OK', '(("" "/")) (("Other Users/" "/")) (("Shared/" "/"))']);
    assert.deepEqual(out.list, ['OK', '(\\HasNoChildren) "/" Shared/Support']);
    assert.deepEqual(out.myrights, ['OK', 'Shared/Support lrs']);
    assert.deepEqual(out.select, ['OK', '1']);
    assert.match(out.fetch!.join(' '), /Subject: Ticket 1/);
    assert.deepEqual(out.getacl, ['OK', `Shared/Support shared@example.test lrswipkxteacd ${USER} lrsa anyone lrs`]);
    assert.deepEqual(out.deleteacl, ['OK', 'DELETEACL completed']);
    assert.equal(out.after_status![0], 'NO');
    assert.match(out.after_status![1]!, /\[NONEXISTENT\]/);
    assert.deepEqual(out.after_list, ['OK']);
  } finally {
    await server.close();
  }
});
