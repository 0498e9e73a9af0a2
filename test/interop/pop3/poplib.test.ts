/** Interop: python3 poplib over plain POP3 (loopback exception), STLS and POP3S. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { message, PASS, pop3Fixture, USER } from '../../protocol/pop3/setup.js';

const SCRIPT = String.raw`
import json, poplib, ssl, sys
mode, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == 'ssl':
    p = poplib.POP3_SSL('127.0.0.1', port, context=ctx, timeout=10)
else:
    p = poplib.POP3('127.0.0.1', port, timeout=10)
caps = p.capa()
if mode == 'stls':
    p.stls(context=ctx)
    caps_after = p.capa()
else:
    caps_after = caps
p.user(user)
p.pass_(password)
count, size = p.stat()
resp, listing, _ = p.list()
resp, uidls, _ = p.uidl()
resp, lines, octets = p.retr(1)
resp, top, _ = p.top(2, 0)
p.dele(1)
q = p.quit()
print(json.dumps({
  'caps': sorted(caps.keys()), 'caps_after': sorted(caps_after.keys()),
  'count': count, 'size': size,
  'list': [x.decode() for x in listing], 'uidl': [x.decode() for x in uidls],
  'retr': b'\r\n'.join(lines).decode('latin1'), 'octets': octets,
  'top': b'\r\n'.join(top).decode('latin1'), 'quit': q.decode(),
}))
`;

const skip = !has('python3') && 'python3 not installed';

for (const mode of ['plain', 'stls', 'ssl'] as const) {
  test(`python3 poplib (${mode}): CAPA, USER/PASS, STAT, LIST, UIDL, RETR, TOP, DELE, QUIT`, { skip }, async () => {
    const tlsMode = mode === 'plain' ? 'none' : mode === 'stls' ? 'starttls' : 'implicit';
    const f = await pop3Fixture({ tls: tlsMode, plaintext: mode === 'plain' });
    try {
      const raws = [message(1, '.dot line\r\n'), message(2)];
      await f.seed(...raws);
      const r = await run('python3', ['-c', SCRIPT, mode, String(f.port), USER, PASS]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      if (mode === 'stls') {
        assert.ok(out.caps.includes('STLS'));
        assert.ok(!out.caps.includes('USER'));
        assert.ok(out.caps_after.includes('USER') && !out.caps_after.includes('STLS'));
      } else assert.ok(out.caps.includes('USER') && out.caps.includes('UIDL') && out.caps.includes('TOP'));
      assert.equal(out.count, 2);
      assert.equal(out.size, Buffer.byteLength(raws[0]!) + Buffer.byteLength(raws[1]!));
      assert.deepEqual(out.list, [`1 ${Buffer.byteLength(raws[0]!)}`, `2 ${Buffer.byteLength(raws[1]!)}`]);
      assert.equal(out.uidl.length, 2);
      // poplib strips the stuffing and the final CRLF
      assert.equal(out.retr + '\r\n', raws[0]);
      assert.match(out.top, /^From: bob@example\.test\r\n.*Subject: message 2\r\n.*\r\n$/s);
      assert.ok(!out.top.includes('Hello 2'));
      assert.match(out.quit, /^\+OK/);
      // retain policy: message 1 left INBOX
      assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 1);
    } finally {
      await f.close();
    }
  });
}
