/**
 * Transcripts for every RFC 1939 / 2449 / 5034 command in every state, over a real socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client, unstuff } from './client.js';
import { message, PASS, pop3Fixture, USER } from './setup.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('greeting, CAPA before and after login', async () => {
  const f = await pop3Fixture();
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(c.greeting, /^\+OK /);
    assert.doesNotMatch(c.greeting, /<.*@.*>/, 'no APOP timestamp');
    const caps = await c.lines('CAPA');
    for (const cap of ['TOP', 'UIDL', 'USER', 'SASL PLAIN LOGIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION letterbox'])
      assert.ok(caps.includes(cap), `CAPA has ${cap}: ${caps.join('|')}`);
    assert.ok(!caps.includes('STLS'), 'no STLS on a plain (tls=none) listener');
    assert.ok(!caps.some((x) => x.startsWith('LOGIN-DELAY')), 'no LOGIN-DELAY by default');
    assert.ok(!caps.some((x) => x.startsWith('APOP')));
    assert.match(await c.login(USER, PASS), /^\+OK/);
    const after = await c.lines('CAPA');
    assert.ok(after.includes('TOP') && after.includes('UIDL'));
    assert.ok(!after.includes('USER'), 'USER not offered after login');
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
});

test('AUTHORIZATION: wrong password, PASS without USER, transaction commands refused, QUIT', async () => {
  const f = await pop3Fixture();
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.cmd('STAT'), /^-ERR /);
    assert.match(await c.cmd('PASS x'), /^-ERR /);
    assert.match(await c.cmd(`USER ${USER}`), /^\+OK/);
    assert.match(await c.cmd('PASS wrong'), /^-ERR \[AUTH\] /);
    // the failed PASS forgot USER
    assert.match(await c.cmd(`PASS ${PASS}`), /^-ERR /);
    assert.match(await c.cmd('USER nobody@example.test'), /^\+OK/);
    assert.match(await c.cmd(`PASS ${PASS}`), /^-ERR \[AUTH\] /);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
});

test('TRANSACTION: STAT, LIST, LIST n, UIDL, UIDL n, RETR, TOP, NOOP, DELE, RSET, QUIT', async () => {
  const f = await pop3Fixture();
  try {
    const raws = [message(1), message(2, 'second line\r\n'), message(3)];
    await f.seed(...raws);
    const sizes = raws.map((r) => Buffer.byteLength(r));
    const total = sizes.reduce((a, b) => a + b, 0);
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.login(USER, PASS), /^\+OK .*3 messages/);
    assert.equal(await c.cmd('STAT'), `+OK 3 ${total}`);
    assert.deepEqual(await c.lines('LIST'), sizes.map((s, i) => `${i + 1} ${s}`));
    assert.equal(await c.cmd('LIST 2'), `+OK 2 ${sizes[1]}`);
    assert.match(await c.cmd('LIST 4'), /^-ERR /);
    assert.match(await c.cmd('LIST 0'), /^-ERR /);
    assert.match(await c.cmd('LIST x'), /^-ERR /);
    const uidls = await c.lines('UIDL');
    assert.equal(uidls.length, 3);
    const ids = uidls.map((l) => l.split(' ')[1]!);
    assert.equal(new Set(ids).size, 3, 'unique ids');
    for (const id of ids) assert.match(id, /^[\x21-\x7e]{1,70}$/);
    assert.equal(await c.cmd('UIDL 3'), `+OK 3 ${ids[2]}`);

    const r = await c.multi('RETR 2');
    assert.equal(r.status, `+OK ${sizes[1]} octets`);
    assert.equal(unstuff(r.body).toString(), raws[1]);
    assert.equal(await c.cmd('NOOP'), '+OK');

    assert.match(await c.cmd('DELE 2'), /^\+OK/);
    assert.match(await c.cmd('DELE 2'), /^-ERR /, 'already deleted');
    assert.match(await c.cmd('RETR 2'), /^-ERR /, 'deleted message cannot be retrieved');
    assert.match(await c.cmd('LIST 2'), /^-ERR /);
    assert.equal(await c.cmd('STAT'), `+OK 2 ${total - sizes[1]!}`);
    assert.deepEqual(await c.lines('LIST'), [`1 ${sizes[0]}`, `3 ${sizes[2]}`], 'numbers are not reused');
    assert.deepEqual(await c.lines('UIDL'), [uidls[0], uidls[2]]);
    assert.match(await c.cmd('RSET'), /^\+OK .*3 messages/);
    assert.equal(await c.cmd('STAT'), `+OK 3 ${total}`);
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.closedByServer();

    const c2 = await Pop3Client.connect(f.port);
    assert.match(await c2.login(USER, PASS), /^\+OK .*2 messages/);
    const again = await c2.lines('UIDL');
    assert.deepEqual(again.map((l) => l.split(' ')[1]), [ids[1], ids[2]], 'UIDLs stable across sessions');
    assert.match(await c2.cmd('QUIT'), /^\+OK/);
  } finally {
    await f.close();
  }
});

test('TOP n for n = 0, 1, 2 and more lines than the body has; RETR/TOP argument errors', async () => {
  const f = await pop3Fixture();
  try {
    const raw = 'Subject: t\r\nX: y\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n';
    await f.seed(raw);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const top0 = await c.multi('TOP 1 0');
    assert.match(top0.status, /^\+OK/);
    assert.equal(unstuff(top0.body).toString(), 'Subject: t\r\nX: y\r\n\r\n');
    assert.equal(unstuff((await c.multi('TOP 1 1')).body).toString(), 'Subject: t\r\nX: y\r\n\r\nline 1\r\n');
    const top2 = await c.multi('TOP 1 2');
    assert.equal(top2.body.toString(), 'Subject: t\r\nX: y\r\n\r\nline 1\r\n..line 2\r\n.\r\n', 'stuffed');
    assert.equal(unstuff((await c.multi('TOP 1 99999999999')).body).toString(), raw);
    assert.match(await c.cmd('TOP 1'), /^-ERR /);
    assert.match(await c.cmd('TOP 1 -1'), /^-ERR /);
    assert.match(await c.cmd('TOP 2 1'), /^-ERR /);
    assert.match(await c.cmd('RETR'), /^-ERR /);
    assert.match(await c.cmd('RETR 7'), /^-ERR /);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('AUTH: mechanism list, PLAIN with initial response, PLAIN and LOGIN with challenges, cancel, bad credentials', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    assert.deepEqual(await c.lines('AUTH'), ['PLAIN', 'LOGIN']);
    assert.match(await c.cmd('AUTH CRAM-MD5'), /^-ERR /);
    // cancel
    assert.match(await c.cmd('AUTH PLAIN'), /^\+ ?$/);
    assert.match(await c.cmd('*'), /^-ERR /);
    // bad password with initial response
    assert.match(await c.cmd(`AUTH PLAIN ${b64(`\0${USER}\0nope`)}`), /^-ERR \[AUTH\] /);
    // LOGIN with challenges
    assert.equal(await c.cmd('AUTH LOGIN'), `+ ${b64('Username:')}`);
    assert.equal(await c.cmd(b64(USER)), `+ ${b64('Password:')}`);
    assert.match(await c.cmd(b64(PASS)), /^\+OK .*1 messages/);
    assert.match(await c.cmd('AUTH PLAIN'), /^-ERR /, 'AUTH not valid after login');
    await c.cmd('QUIT');
    await c.closedByServer();

    const c2 = await Pop3Client.connect(f.port);
    assert.match(await c2.cmd(`AUTH PLAIN ${b64(`\0${USER}\0${PASS}`)}`), /^\+OK/);
    assert.equal(await c2.cmd('STAT'), `+OK 1 ${Buffer.byteLength(message(1))}`);
    await c2.cmd('QUIT');

    const c3 = await Pop3Client.connect(f.port);
    assert.match(await c3.cmd('AUTH PLAIN'), /^\+ ?$/);
    assert.match(await c3.cmd(b64(`\0${USER}\0${PASS}`)), /^\+OK/);
    await c3.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('PIPELINING: many commands in one write are answered in order', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1), message(2));
    const c = await Pop3Client.connect(f.port);
    c.send(`USER ${USER}\r\nPASS ${PASS}\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nNOOP\r\nQUIT\r\n`);
    assert.match(await c.readLine(), /^\+OK/);
    assert.match(await c.readLine(), /^\+OK/);
    assert.match(await c.readLine(), /^\+OK 2 /);
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal((await c.readBody()).toString().split('\r\n').length, 4);
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal(unstuff(await c.readBody()).toString(), message(1));
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal(await c.readLine(), '+OK');
    assert.match(await c.readLine(), /^\+OK/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
});

test('unknown commands: -ERR, then disconnect after the bad-command limit; over-long line', async () => {
  const f = await pop3Fixture({ config: { limits: { bad_commands_before_disconnect: 3, line_length: 100 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.cmd('FROB'), /^-ERR /);
    assert.match(await c.cmd('X'.repeat(500)), /^-ERR .*too long/i);
    assert.match(await c.cmd('APOP alice 0123456789abcdef0123456789abcdef'), /^-ERR .*(many|Unknown)/);
    await c.closedByServer();
    assert.ok(c.closed);
  } finally {
    await f.close();
  }
});

test('PIPELINING flood: 3000 commands in one burst are all answered, in order', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const n = 3000;
    c.send(Array.from({ length: n }, (_, i) => (i % 2 ? 'NOOP' : 'LIST 1')).join('\r\n') + '\r\n');
    for (let i = 0; i < n; i++) {
      const line = await c.readLine();
      assert.equal(line, i % 2 ? '+OK' : `+OK 1 ${Buffer.byteLength(message(1))}`);
    }
    assert.match(await c.cmd('QUIT'), /^\+OK/);
  } finally {
    await f.close();
  }
});
