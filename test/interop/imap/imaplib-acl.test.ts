/**
 * Interop: python3 imaplib's ACL methods (getacl, setacl, deleteacl, myrights; LISTRIGHTS
 * through its generic command call; RFC 4314) and a mailbox shared through the "Other Users" namespace, used by a second
 * account: read with "lrs", refused without "t", gone after deleteacl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const BOB = 'bob@example.test';

const SCRIPT = String.raw`
import imaplib, json, sys
port, alice, bob, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
shared = '"Other Users/%s/Team"' % alice
def text(r):
    typ, data = r
    return [typ] + [d.decode() if isinstance(d, bytes) else repr(d) for d in data if d is not None]
out = {}
A = imaplib.IMAP4('127.0.0.1', port, timeout=10)
A.login(alice, pw)
out['caps'] = text(A.capability())
out['setacl'] = text(A.setacl('Team', bob, 'lrs'))
out['getacl'] = text(A.getacl('Team'))
# imaplib has no listrights(): the same call its getacl() makes, for LISTRIGHTS
imaplib.Commands.setdefault('LISTRIGHTS', ('AUTH', 'SELECTED'))
typ, dat = A._simple_command('LISTRIGHTS', 'Team', bob)
out['listrights'] = text(A._untagged_response(typ, dat, 'LISTRIGHTS'))
out['myrights'] = text(A.myrights('Team'))
B = imaplib.IMAP4('127.0.0.1', port, timeout=10)
B.login(bob, pw)
out['namespace'] = text(B.namespace())
out['list'] = text(B.list('""', '"Other Users/*"'))
out['b_myrights'] = text(B.myrights(shared))
out['b_getacl'] = text(B.getacl(shared))
out['select'] = text(B.select(shared))
out['fetch'] = text(B.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])'))
out['store_seen'] = text(B.store('1', '+FLAGS', '(\\Seen)'))
out['store_deleted'] = text(B.store('2', '+FLAGS', '(\\Deleted)'))
out['append'] = text(B.append(shared, None, None, b'Subject: from bob\r\n\r\nhi\r\n'))
out['deleteacl'] = text(A.deleteacl('Team', bob))
out['after_fetch'] = text(B.fetch('1', '(FLAGS)'))
out['after_status'] = text(B.status(shared, '(MESSAGES)'))
out['after_list'] = text(B.list('""', '"Other Users/*"'))
A.logout()
B.logout()
print(json.dumps(out))
`;

test('python3 imaplib ACL methods and a shared mailbox', { skip: !has('python3') && 'python3 not installed' }, async () => {
  const server = await startServer();
  try {
    await server.t.addUser(BOB, PASS);
    const store = server.t.ctx.store;
    await store.createMailbox((await store.getAccount(USER))!.id, 'Team');
    await seed(server, 'Team', [msg('Plans'), msg('Budget')]);
    const r = await run('python3', ['-c', SCRIPT, String(server.port), USER, BOB, PASS]);
    assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout) as Record<string, string[]>;
    assert.match(out.caps!.join(' '), /\bACL\b.*\bRIGHTS=texk\b/);
    assert.deepEqual(out.setacl, ['OK', 'SETACL completed']);
    assert.deepEqual(out.getacl, ['OK', `Team ${USER} lrswipkxteacd ${BOB} lrs`]);
    assert.deepEqual(out.listrights, ['OK', `Team ${BOB} "" l r s w i p k x t e a c d`]);
    assert.deepEqual(out.myrights, ['OK', 'Team lrswipkxteacd']);
    assert.deepEqual(out.namespace, ['OK', '(("" "/")) (("Other Users/" "/")) (("Shared/" "/"))']);
    assert.deepEqual(out.list, ['OK', `(\\Noselect \\HasChildren) "/" "Other Users/${USER}"`, `(\\HasNoChildren) "/" "Other Users/${USER}/Team"`]);
    assert.deepEqual(out.b_myrights, ['OK', `"Other Users/${USER}/Team" lrs`]);
    assert.equal(out.b_getacl![0], 'NO');
    assert.deepEqual(out.select, ['OK', '2']);
    assert.equal(out.fetch![0], 'OK');
    assert.match(out.fetch!.join(' '), /Subject: Plans/);
    assert.equal(out.store_seen![0], 'OK');
    assert.equal(out.store_deleted![0], 'NO');
    assert.match(out.store_deleted![1]!, /\[NOPERM\]/);
    assert.equal(out.append![0], 'NO');
    assert.match(out.append![1]!, /\[NOPERM\]/);
    assert.deepEqual(out.deleteacl, ['OK', 'DELETEACL completed']);
    assert.equal(out.after_fetch![0], 'NO');
    assert.match(out.after_fetch![1]!, /\[NONEXISTENT\]/);
    assert.equal(out.after_status![0], 'NO');
    assert.deepEqual(out.after_list, ['OK']);
    const team = (await store.getMailbox((await store.getAccount(USER))!.id, 'Team'))!;
    const flags = (await store.getMessages(team.accountId, team.id, [[1, Infinity]])).map((m) => m.flags);
    assert.deepEqual(flags, [['\\Seen'], []]);
  } finally {
    await server.close();
  }
});
