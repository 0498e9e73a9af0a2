/**
 * Maildrop semantics (RFC 1939 §6, issue #4): snapshot at login, deletions only at QUIT,
 * [IN-USE] lock, dropped connection, IMAP expunge during a session, byte-exact dot-stuffing,
 * \Seen from RETR at QUIT (more in seen.test.ts), UIDL formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client, unstuff } from './client.js';
import { message, PASS, pop3Fixture, USER } from './setup.js';

async function inboxUids(f: Awaited<ReturnType<typeof pop3Fixture>>): Promise<number[]> {
  return [...(await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids];
}

test('dot-stuffing and CRLF: leading dots, bare LF, no final CRLF; LIST size = octets received', async () => {
  const f = await pop3Fixture();
  try {
    const raws = [
      'Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nnot.leading\r\n...\r\n',
      'Subject: bare lf\n\nline one\n.dot line\n\nlast\n',
      'Subject: no final crlf\r\n\r\nlast line without end',
      'Subject: mixed\r\n\nA\r\nB\nC\r\r\n.',
      '.Starts-With-Dot: odd\r\n\r\nbody\r\n',
    ];
    await f.seed(...raws);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const list = await c.lines('LIST');
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i]!;
      const normalised = raw.replace(/\r?\n/g, '\r\n');
      const r = await c.multi(`RETR ${i + 1}`);
      const sent = unstuff(r.body);
      const expectedSent = normalised.endsWith('\r\n') ? normalised : normalised + '\r\n';
      assert.equal(sent.toString('latin1'), expectedSent, `message ${i + 1}`);
      const size = Buffer.byteLength(normalised);
      assert.equal(list[i], `${i + 1} ${size}`, 'LIST counts CRLF-normalised octets');
      assert.equal(r.status, `+OK ${size} octets`);
      // every line that starts with "." on the wire is stuffed: no line equals "." before the end
      const wireLines = r.body.toString('latin1').slice(0, -5).split('\r\n');
      for (const l of wireLines) assert.notEqual(l, '.', 'no premature terminator');
      assert.ok(!/(^|[^\r])\n/.test(r.body.toString('latin1')), 'no bare LF on the wire');
    }
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('a large message streams intact (dot lines across chunk boundaries)', async () => {
  const f = await pop3Fixture();
  try {
    const line = '.' + 'x'.repeat(70) + '\n';
    const raw = Buffer.from('Subject: big\n\n' + line.repeat(40_000));
    await f.seed(raw);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const r = await c.multi('RETR 1');
    const expected = raw.toString('latin1').replace(/\n/g, '\r\n');
    assert.equal(r.status, `+OK ${expected.length} octets`);
    assert.equal(unstuff(r.body).toString('latin1'), expected);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

/** what RFC 1939 §3 puts on the wire for `raw`: CRLF line ends, a dot before each line-start dot, the terminator */
function wireForm(raw: string): string {
  const text = raw.replace(/\r?\n/g, '\r\n');
  const lines = (text.endsWith('\r\n') ? text.slice(0, -2) : text).split('\r\n');
  return (text === '' ? '' : lines.map((l) => (l.startsWith('.') ? '.' + l : l) + '\r\n').join('')) + '.\r\n';
}

test('pipelined RETR and TOP of mixed messages (sizes, bare LF, leading dots, one over 256 KiB), twice over: every response byte-exact', async () => {
  const f = await pop3Fixture();
  try {
    const long = (n: number, end: string) => Array.from({ length: n }, (_, i) => (i % 7 === 0 ? '.' : '') + `line ${i} ${'z'.repeat(i % 90)}${end}`).join('');
    const raws = [
      'Subject: tiny\r\n\r\nx',
      `Subject: bare\n\n${long(3000, '\n')}`, // ~150 KB, every line end bare
      `Subject: crlf\r\n\r\n${long(2000, '\r\n')}`,
      '.\r\n',
      `Subject: big\n\n${long(7000, '\n')}`, // over 256 KiB: sent in chunks
      `Subject: mixed\r\n\n${long(500, '\n')}\r\n.\r\n..\n\r\n`,
      `Subject: bare again\n\n${long(2500, '\n')}`,
    ];
    await f.seed(...raws);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const n = raws.length;
    const cmds = [...raws.keys(), ...raws.keys()].map((i) => `RETR ${i + 1}\r\n`).join('') + `TOP 2 3\r\nRETR 1\r\nTOP 5 0\r\n`;
    c.send(cmds);
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < n; i++) {
        const want = wireForm(raws[i]!);
        assert.equal(await c.readLine(), `+OK ${Buffer.byteLength(raws[i]!.replace(/\r?\n/g, '\r\n'))} octets`, `RETR ${i + 1} status`);
        assert.equal((await c.readBody()).toString('latin1'), want, `RETR ${i + 1} (round ${round + 1})`);
      }
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal((await c.readBody()).toString('latin1'), wireForm(`Subject: bare\n\n${long(3, '\n')}`));
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal((await c.readBody()).toString('latin1'), wireForm(raws[0]!));
    assert.match(await c.readLine(), /^\+OK/);
    assert.equal((await c.readBody()).toString('latin1'), wireForm('Subject: big\n\n'));
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('[IN-USE]: a second concurrent session for the account is refused, allowed after QUIT', async () => {
  const f = await pop3Fixture();
  try {
    const a = await Pop3Client.connect(f.port);
    assert.match(await a.login(USER, PASS), /^\+OK/);
    const b = await Pop3Client.connect(f.port);
    assert.match(await b.login(USER, PASS), /^-ERR \[IN-USE\] /);
    assert.match(await b.cmd('STAT'), /^-ERR /, 'still in AUTHORIZATION');
    assert.match(await a.cmd('QUIT'), /^\+OK/);
    await a.closedByServer();
    assert.match(await b.login(USER, PASS), /^\+OK/);
    b.destroy(); // dropping the connection releases the lock too
    await b.closedByServer();
    await new Promise((r) => setTimeout(r, 50));
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.login(USER, PASS), /^\+OK/);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('a dropped connection deletes nothing; QUIT applies DELE; new mail appears at next login only', async () => {
  const f = await pop3Fixture();
  try {
    await f.seed(message(1), message(2));
    const a = await Pop3Client.connect(f.port);
    await a.login(USER, PASS);
    assert.match(await a.cmd('DELE 1'), /^\+OK/);
    assert.match(await a.cmd('DELE 2'), /^\+OK/);
    a.destroy();
    await a.closedByServer();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await inboxUids(f)).length, 2, 'nothing deleted');

    const b = await Pop3Client.connect(f.port);
    assert.match(await b.login(USER, PASS), /2 messages/);
    const [uid3] = await f.seed(message(3));
    assert.equal(await b.cmd('STAT'), `+OK 2 ${Buffer.byteLength(message(1)) + Buffer.byteLength(message(2))}`, 'snapshot fixed');
    assert.match(await b.cmd('LIST 3'), /^-ERR /);
    assert.match(await b.cmd('DELE 1'), /^\+OK/);
    assert.match(await b.cmd('QUIT'), /^\+OK/);
    await b.closedByServer();
    const after = await inboxUids(f);
    assert.equal(after.length, 2);
    assert.ok(after.includes(uid3!));

    const c = await Pop3Client.connect(f.port);
    assert.match(await c.login(USER, PASS), /2 messages/);
    const r = await c.multi('RETR 2');
    assert.equal(unstuff(r.body).toString(), message(3));
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('a message expunged over IMAP during the session: RETR/TOP say so, other messages unaffected, QUIT fine', async () => {
  const f = await pop3Fixture();
  try {
    const [u1, u2] = await f.seed(message(1), message(2), message(3));
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const store = f.t.ctx.store;
    await store.storeFlags(f.account.id, f.inboxId, [u2!], 'add', ['\\Deleted']);
    await store.expunge(f.account.id, f.inboxId);
    assert.equal(await c.cmd('RETR 2'), '-ERR Message was deleted by another session');
    assert.equal(await c.cmd('TOP 2 0'), '-ERR Message was deleted by another session');
    assert.equal(unstuff((await c.multi('RETR 3')).body).toString(), message(3));
    assert.match(await c.cmd('DELE 2'), /^\+OK/);
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    assert.match(await c.cmd('QUIT'), /^\+OK/, 'vanished uids are ignored at QUIT');
    await c.closedByServer();
    const left = await inboxUids(f);
    assert.ok(!left.includes(u1!) && !left.includes(u2!));
    assert.equal(left.length, 1);
  } finally {
    await f.close();
  }
});

test('a pipelined window of RETRs is read in one store call: an expunged message in it still fails alone, a bad or deleted number ends the window, every body byte-exact', async () => {
  const asked: number[][] = [];
  const f = await pop3Fixture({
    wrap: (ctx) => ({
      ...ctx,
      store: new Proxy(ctx.store, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === 'getRawMany') return (a: number, m: number, uids: number[]) => (asked.push([...uids]), target.getRawMany(a, m, uids));
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    }),
  });
  try {
    const raws = [
      message(1),
      'Subject: bare lf\n\n.dot line\nline\n..two dots\n',
      '.Starts-With-Dot: yes\r\n\r\n.\r\nbody',
      message(4),
      'Subject: five\n\r\nmixed\n.\r\n',
      message(6),
    ];
    const uids = await f.seed(...raws);
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    await f.t.ctx.store.storeFlags(f.account.id, f.inboxId, [uids[3]!], 'add', ['\\Deleted']);
    await f.t.ctx.store.expunge(f.account.id, f.inboxId);
    c.send('RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nRETR 2\r\nRETR 9\r\nRETR 5\r\nDELE 6\r\nRETR 6\r\nRETR 5\r\nQUIT\r\n');
    const body = async (i: number): Promise<void> => {
      assert.equal(await c.readLine(), `+OK ${Buffer.byteLength(raws[i]!.replace(/\r?\n/g, '\r\n'))} octets`, `RETR ${i + 1} status`);
      assert.equal((await c.readBody()).toString('latin1'), wireForm(raws[i]!), `RETR ${i + 1}`);
    };
    await body(0);
    await body(1);
    await body(2);
    assert.equal(await c.readLine(), '-ERR Message was deleted by another session');
    await body(1);
    assert.match(await c.readLine(), /^-ERR No such message: 9/);
    await body(4);
    assert.match(await c.readLine(), /^\+OK/);
    assert.match(await c.readLine(), /^-ERR Message 6 is already deleted/);
    await body(4);
    assert.match(await c.readLine(), /^\+OK/);
    await c.closedByServer();
    // the RETRs up to the bad number in one read, 2 once (its second RETR reads it alone, as
    // does "RETR 5" with DELE behind it); RETR 4's -ERR comes from that read
    assert.deepEqual(asked, [[uids[0], uids[1], uids[2], uids[3]]]);
  } finally {
    await f.close();
  }
});

test('RETR marks \\Seen at QUIT (TOP does not); retr_marks_seen = false leaves flags alone', async () => {
  for (const marks of [true, false]) {
    const f = await pop3Fixture({ config: { pop3: { retr_marks_seen: marks } } });
    try {
      const [u1, u2] = await f.seed(message(1), message(2));
      const c = await Pop3Client.connect(f.port);
      await c.login(USER, PASS);
      await c.multi('RETR 1');
      await c.multi('TOP 2 1');
      await c.cmd('NOOP');
      const before = await f.t.ctx.store.getMessages(f.account.id, f.inboxId, [u1!, u2!]);
      assert.deepEqual(before.map((m) => m.flags.includes('\\Seen')), [false, false], 'not written per RETR');
      assert.match(await c.cmd('QUIT'), /^\+OK/);
      await c.closedByServer();
      const metas = await f.t.ctx.store.getMessages(f.account.id, f.inboxId, [u1!, u2!]);
      assert.equal(metas[0]!.flags.includes('\\Seen'), marks, `RETR with retr_marks_seen=${marks}`);
      assert.equal(metas[1]!.flags.includes('\\Seen'), false, 'TOP never marks');
    } finally {
      await f.close();
    }
  }
});

test('UIDL: guid format is the message guid and survives flag changes; dovecot format is %08Xu%08Xv', async () => {
  const f = await pop3Fixture();
  try {
    const [u1] = await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    const meta = (await f.t.ctx.store.getMessages(f.account.id, f.inboxId, [u1!]))[0]!;
    assert.equal(await c.cmd('UIDL 1'), `+OK 1 ${meta.guid}`);
    await c.cmd('QUIT');
    await f.t.ctx.store.storeFlags(f.account.id, f.inboxId, [u1!], 'add', ['\\Flagged', '\\Seen']);
    const c2 = await Pop3Client.connect(f.port);
    await c2.login(USER, PASS);
    assert.equal(await c2.cmd('UIDL 1'), `+OK 1 ${meta.guid}`);
    await c2.cmd('QUIT');
  } finally {
    await f.close();
  }
  const g = await pop3Fixture({ config: { pop3: { uidl_format: 'dovecot' } } });
  try {
    const [u1] = await g.seed(message(1));
    const inbox = (await g.t.ctx.store.getMailbox(g.account.id, 'INBOX'))!;
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const c = await Pop3Client.connect(g.port);
    await c.login(USER, PASS);
    assert.equal(await c.cmd('UIDL 1'), `+OK 1 ${hex(u1!)}${hex(inbox.uidValidity)}`);
    await c.cmd('QUIT');
  } finally {
    await g.close();
  }
});
