/** Interop: python3 imaplib exercising every command over plain (loopback), STARTTLS and implicit TLS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const SCRIPT = String.raw`
import base64, imaplib, json, ssl, sys, time
mode, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
out = {}
def ok(r, what):
    typ, data = r
    assert typ == 'OK', f'{what}: {typ} {data}'
    return data
if mode == 'ssl':
    M = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ctx, timeout=10)
else:
    M = imaplib.IMAP4('127.0.0.1', port, timeout=10)
out['greeting_caps'] = list(M.capabilities)
if mode == 'stls':
    assert 'LOGINDISABLED' in M.capabilities
    ok(M.starttls(ssl_context=ctx), 'STARTTLS')
    M.capabilities = tuple(ok(M.capability(), 'CAPABILITY')[0].decode().upper().split())
    out['caps_after_tls'] = list(M.capabilities)
    ok(M.authenticate('PLAIN', lambda _: ('\0' + user + '\0' + password).encode()), 'AUTHENTICATE')
else:
    ok(M.login(user, password), 'LOGIN')
ok(M.noop(), 'NOOP')
out['caps'] = ok(M.capability(), 'CAPABILITY')[0].decode()
ok(M.xatom('ID', '("name" "imaplib")'), 'ID')
out['namespace'] = ok(M.namespace(), 'NAMESPACE')[0].decode()
ok(M.create('Work'), 'CREATE'); ok(M.create('Work/Old'), 'CREATE child')
ok(M.rename('Work/Old', 'Work/Older'), 'RENAME')
ok(M.subscribe('Work'), 'SUBSCRIBE'); ok(M.unsubscribe('Work'), 'UNSUBSCRIBE'); ok(M.subscribe('Work'), 'SUBSCRIBE again')
out['list'] = [x.decode() for x in ok(M.list(), 'LIST')]
out['lsub'] = [x.decode() for x in ok(M.lsub('""', 'Work*'), 'LSUB')]
raw = b'From: a@example.test\r\nSubject: imaplib test\r\n\r\nbody text\r\n'
r = ok(M.append('Work', '(\\Flagged)', imaplib.Time2Internaldate(time.time()), raw), 'APPEND')
out['append'] = M.untagged_responses.get('APPENDUID', r)
out['status'] = ok(M.status('INBOX', '(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)'), 'STATUS')[0].decode()
ok(M.select('INBOX', readonly=True), 'EXAMINE')
ok(M.unselect(), 'UNSELECT')
out['select'] = ok(M.select('INBOX'), 'SELECT')[0].decode()
out['search'] = ok(M.search(None, 'UNSEEN'), 'SEARCH')[0].decode()
out['search_charset'] = ok(M.search('UTF-8', 'SUBJECT', 'two'), 'SEARCH CHARSET')[0].decode()
out['uid_search'] = ok(M.uid('SEARCH', 'ALL'), 'UID SEARCH')[0].decode()
f = ok(M.fetch('1', '(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])'), 'FETCH')
out['fetch_meta'] = f[0][0].decode()
out['fetch_header'] = f[0][1].decode()
f = ok(M.fetch('2', '(RFC822)'), 'FETCH RFC822')
out['rfc822'] = f[0][1].decode('latin1')
out['fetch_flags_after'] = ok(M.fetch('2', '(FLAGS)'), 'FETCH FLAGS')[0].decode()
out['store'] = [x.decode() for x in ok(M.store('1', '+FLAGS', '(\\Answered)'), 'STORE')]
ok(M.uid('STORE', '3', '+FLAGS.SILENT', '(\\Deleted)'), 'UID STORE')
out['copy'] = ok(M.copy('1', 'Work'), 'COPY')
out['copy_code'] = M.untagged_responses.get('COPYUID')
out['move'] = ok(M.uid('MOVE', '2', 'Archive'), 'UID MOVE')
ok(M.check(), 'CHECK')
out['expunge'] = [x.decode() for x in ok(M.expunge(), 'EXPUNGE') if x]
ok(M.store('1', '+FLAGS', '(\\Deleted)'), 'STORE deleted')
ok(M.uid('EXPUNGE', '1'), 'UID EXPUNGE')
out['after'] = ok(M.status('INBOX', '(MESSAGES)'), 'STATUS after')[0].decode()
# IDLE by hand (imaplib has no idle() before 3.14)
tag = M._new_tag().decode()
M.send(f'{tag} IDLE\r\n'.encode())
out['idle_cont'] = M.readline().decode().strip()
M.send(b'DONE\r\n')
out['idle_done'] = M.readline().decode().strip()
ok(M.close(), 'CLOSE')
ok(M.delete('Work/Older'), 'DELETE')
out['logout'] = M.logout()[0]
print(json.dumps(out, default=str))
`;

const skip = !has('python3') && 'python3 not installed';

for (const mode of ['plain', 'stls', 'ssl'] as const) {
  test(`python3 imaplib (${mode}) runs every command`, { skip }, async () => {
    const tls = mode === 'plain' ? 'none' : mode === 'stls' ? 'starttls' : 'implicit';
    const server = await startServer({ tls, plaintext: mode === 'plain' });
    try {
      await seed(server, 'INBOX', [msg('one'), msg('two'), msg('three')], [['\\Seen'], [], []]);
      const r = await run('python3', ['-c', SCRIPT, mode, String(server.port), USER, PASS]);
      assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
      const out = JSON.parse(r.stdout);
      assert.ok(out.caps.includes('IMAP4rev2') && out.caps.includes('UIDPLUS'), out.caps);
      if (mode === 'stls') assert.ok(out.caps_after_tls.includes('AUTH=PLAIN'));
      // RFC 2342: the personal namespace and the Other Users namespace of shared mailboxes (RFC 4314 grants)
      assert.equal(out.namespace, '(("" "/")) (("Other Users/" "/")) (("Shared/" "/"))');
      assert.ok(out.list.some((l: string) => l.endsWith('"/" Work/Older')), out.list.join('\n'));
      assert.deepEqual(out.lsub, ['() "/" Work']);
      assert.match(out.status, /MESSAGES 3 UNSEEN 2/);
      assert.equal(out.select, '3');
      assert.equal(out.search, '2 3');
      assert.equal(out.search_charset, '2');
      assert.equal(out.uid_search, '1 2 3');
      assert.match(out.fetch_meta, /UID 1 FLAGS \(\\Seen( \\Recent)?\) RFC822\.SIZE \d+ INTERNALDATE/);
      assert.equal(out.fetch_header, 'Subject: one\r\n\r\n');
      assert.match(out.rfc822, /^From: Bob <bob@example.test>\r\n/);
      assert.match(out.fetch_flags_after, /\\Seen/);
      assert.match(out.store[0], /\\Answered/);
      assert.deepEqual(out.expunge, ['2', '2']);
      assert.match(out.after, /MESSAGES 0/);
      assert.equal(out.idle_cont, '+ idling');
      assert.match(out.idle_done, /OK IDLE terminated/);
      assert.equal(out.logout, 'BYE');
    } finally {
      await server.close();
    }
  });
}
