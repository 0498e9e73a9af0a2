/**
 * Interop: python3 imaplib drives METADATA (RFC 5464). imaplib has no metadata methods, so
 * the commands are registered in imaplib.Commands and sent with _simple_command; the
 * METADATA responses are read as imaplib collected them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { PASS, startServer, USER } from '../../protocol/imap/harness.js';

const SCRIPT = String.raw`
import imaplib, json, sys
imaplib.Commands['GETMETADATA'] = ('AUTH', 'SELECTED')
imaplib.Commands['SETMETADATA'] = ('AUTH', 'SELECTED')
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=10)
M.login(sys.argv[2], sys.argv[3])
out = {'caps': M.capability()[1][0].decode()}
def cmd(name, *args):
    typ, data = M._simple_command(name, *args)
    _, meta = M._untagged_response(typ, data, 'METADATA')
    return [typ, [d.decode() if isinstance(d, bytes) else [x.decode() for x in d] for d in meta if d is not None]]
out['set'] = cmd('SETMETADATA', 'INBOX', '(/private/comment "From python" /private/vendor/x/a "1" /private/vendor/x/b "2")')
out['get'] = cmd('GETMETADATA', 'INBOX', '/private/comment')
out['depth'] = cmd('GETMETADATA', '(DEPTH 1)', 'INBOX', '/private/vendor/x')
out['multi'] = cmd('SETMETADATA', 'INBOX', '(/private/comment {12+}\r\nline\r\nline 2)')
out['literal'] = cmd('GETMETADATA', 'INBOX', '/private/comment')
out['nil'] = cmd('SETMETADATA', 'INBOX', '(/private/comment NIL)')
out['gone'] = cmd('GETMETADATA', 'INBOX', '/private/comment')
out['server'] = cmd('SETMETADATA', '""', '(/shared/comment "nope")')
M.logout()
print(json.dumps(out))
`;

test('python3 imaplib GETMETADATA / SETMETADATA', { skip: !has('python3') && 'python3 not installed' }, async () => {
  const server = await startServer();
  try {
    const r = await run('python3', ['-c', SCRIPT, String(server.port), USER, PASS]);
    assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout);
    assert.match(out.caps, /\bMETADATA\b/);
    assert.deepEqual(out.set, ['OK', []]);
    assert.deepEqual(out.get, ['OK', ['INBOX (/private/comment "From python")']]);
    assert.deepEqual(out.depth, ['OK', ['INBOX (/private/vendor/x NIL /private/vendor/x/a "1" /private/vendor/x/b "2")']]);
    assert.deepEqual(out.multi, ['OK', []]);
    assert.deepEqual(out.literal, ['OK', [['INBOX (/private/comment {12}', 'line\r\nline 2'], ')']]);
    assert.deepEqual(out.nil, ['OK', []]);
    assert.deepEqual(out.gone, ['OK', ['INBOX (/private/comment NIL)']]);
    // the server's shared entries are an administrator's (_simple_command returns NO rather than raising)
    assert.equal(out.server[0], 'NO');
    assert.equal((await server.t.ctx.store.kvList('imap.metadata', null)).length, 0);
  } finally {
    await server.close();
  }
});
