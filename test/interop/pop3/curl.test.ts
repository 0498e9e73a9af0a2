/** Interop: curl pop3:// (plain and STLS with --ssl-reqd) and pop3s://: list and retrieve. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { message, PASS, pop3Fixture, USER } from '../../protocol/pop3/setup.js';

const skip = !has('curl') && 'curl not installed';

const cases = [
  { name: 'pop3 plain (loopback exception)', tls: 'none', scheme: 'pop3', extra: [], plaintext: true },
  { name: 'pop3 + STLS (--ssl-reqd)', tls: 'starttls', scheme: 'pop3', extra: ['-k', '--ssl-reqd'], plaintext: false },
  { name: 'pop3s (implicit TLS)', tls: 'implicit', scheme: 'pop3s', extra: ['-k'], plaintext: false },
] as const;

for (const c of cases) {
  test(`curl ${c.name}: LIST and RETR`, { skip }, async () => {
    const f = await pop3Fixture({ tls: c.tls, plaintext: c.plaintext });
    try {
      const raws = [message(1), 'Subject: two\r\n\r\n.starts with a dot\r\nend\r\n'];
      await f.seed(...raws);
      const base = `${c.scheme}://127.0.0.1:${f.port}/`;
      const auth = ['-u', `${USER}:${PASS}`, '-s', '-S', '--max-time', '20', ...c.extra];
      const list = await run('curl', [...auth, base]);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stdout, `1 ${Buffer.byteLength(raws[0]!)}\r\n2 ${Buffer.byteLength(raws[1]!)}\r\n`);
      const retr = await run('curl', [...auth, base + '2']);
      assert.equal(retr.code, 0, retr.stderr);
      assert.equal(retr.stdout, raws[1], 'curl un-stuffs to the original bytes');
    } finally {
      await f.close();
    }
  });
}

test('curl pop3 without TLS and without the loopback exception is refused', { skip }, async () => {
  const f = await pop3Fixture({ tls: 'starttls', plaintext: false });
  try {
    await f.seed(message(1));
    const r = await run('curl', ['-u', `${USER}:${PASS}`, '-s', '--max-time', '20', `pop3://127.0.0.1:${f.port}/`]);
    assert.notEqual(r.code, 0, 'login must fail before TLS');
  } finally {
    await f.close();
  }
});
