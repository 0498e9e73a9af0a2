/**
 * Hostile input for POP3 over a real socket (memory and SQLite store). Every case must end
 * in -ERR or a clean disconnect, the process records no uncaught exception, every protocol
 * still answers and the seeded message is byte-exact afterwards (../robustness/harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends, rng, LIMITS, USER, PASS, SEEDED, type Fixture, type RawClient } from './harness.js';

/** the next n single-line replies (or fewer when the server hangs up) */
async function replies(c: RawClient, n: number, timeoutMs = 5000): Promise<string[]> {
  await c.expect((x) => x.split('\r\n').length > n || c.closed, `${n} POP3 replies or a disconnect`, timeoutMs);
  const lines = c.take().split('\r\n');
  lines.pop();
  return lines;
}

function assertErr(line: string | undefined, what: string): void {
  if (line === undefined) return; // disconnected
  assert.match(line, /^-ERR/, `${what}: expected -ERR, got ${JSON.stringify(line)}`);
}

/** every status line is +OK/-ERR (multi-line bodies are not expected in these cases) */
function assertStatusLines(lines: string[]): void {
  for (const l of lines) assert.match(l, /^(\+OK|-ERR|\+ ?)/, `not a POP3 status line: ${JSON.stringify(l.slice(0, 200))}`);
}

interface Case {
  name: string;
  login?: boolean;
  run(c: RawClient, f: Fixture): Promise<void>;
}

const cases: Case[] = [
  {
    name: 'random bytes before login',
    login: false,
    async run(c) {
      const r = rng(11);
      for (let k = 0; k < 20; k++) c.write(Buffer.concat([r.bytes(200), Buffer.from('\r\n')]));
      await c.until(() => c.closed, 1500);
      const lines = c.text.split('\r\n');
      lines.pop();
      assertStatusLines(lines);
    },
  },
  {
    name: 'random bytes in TRANSACTION state: nothing deleted',
    async run(c, f) {
      const r = rng(12);
      for (let k = 0; k < 20; k++) c.write(Buffer.concat([r.bytes(200), Buffer.from('\r\n')]));
      await c.until(() => c.closed, 1500);
      c.destroy();
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(await f.inboxCount(), 1);
    },
  },
  {
    name: 'a line longer than limits.line_length',
    login: false,
    async run(c) {
      c.write(`USER ${'x'.repeat(LIMITS.line_length + 100)}\r\nNOOP\r\n`);
      await c.expect((x) => x.includes('-ERR') || c.closed, '-ERR or a disconnect');
      assert.doesNotMatch(c.text, /^\+OK/m);
    },
  },
  {
    name: '4 MB without a line end is not buffered forever',
    login: false,
    async run(c) {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let k = 0; k < 64 && !c.closed; k++) c.write(chunk);
      await c.expect((x) => x.includes('-ERR') || c.closed, '-ERR or a disconnect for an endless line', 8000);
    },
  },
  {
    name: 'huge and odd arguments',
    async run(c) {
      const args = [
        'RETR 99999999999999999999999',
        'RETR -1',
        'RETR 0',
        'RETR 1.5',
        'RETR 0x1',
        'RETR 1e3',
        'LIST 4294967297',
        'TOP 1 -5',
        'TOP 1',
        'TOP 1 x',
        'DELE',
        `UIDL ${'9'.repeat(4000)}`,
        `XYZZY ${'z'.repeat(4000)}`,
      ];
      for (const a of args) {
        c.write(a + '\r\n');
        const [l] = await replies(c, 1);
        assertErr(l, a.slice(0, 40));
        if (c.closed) break;
      }
      // extra arguments: RFC 1939 gives these commands none; ignoring them or -ERR are both fine
      for (const a of [`STAT ${'y'.repeat(4000)}`, 'NOOP x y z', 'RSET 1 2']) {
        c.write(a + '\r\n');
        const [l] = await replies(c, 1);
        if (l !== undefined) assert.match(l, /^(\+OK|-ERR)/);
        if (c.closed) break;
      }
    },
  },
  {
    name: 'TOP with a huge line count returns the whole message',
    async run(c) {
      c.write('TOP 1 99999999999999\r\n');
      await c.expect((x) => /^-ERR/.test(x) || /\r\n\.\r\n$/.test(x), 'TOP answer');
      if (c.text.startsWith('+OK')) assert.ok(c.text.includes('last line without CRLF'));
    },
  },
  {
    name: 'NUL bytes',
    login: false,
    async run(c) {
      c.write('US\0ER alice\r\n');
      assertErr((await replies(c, 1))[0], 'NUL in the command');
      if (c.closed) return;
      c.write(`USER ${USER}\0\r\n`);
      await replies(c, 1);
      if (c.closed) return;
      c.write(`PASS ${PASS}\0\r\n`);
      assertErr((await replies(c, 1))[0], 'NUL in the password');
    },
  },
  {
    name: 'commands in the wrong state',
    login: false,
    async run(c) {
      for (const cmd of ['STAT', 'LIST', 'RETR 1', 'DELE 1', 'TOP 1 0', 'UIDL', 'RSET', 'PASS x']) {
        c.write(cmd + '\r\n');
        assertErr((await replies(c, 1))[0], `${cmd} before login`);
        if (c.closed) return;
      }
      c.write(`USER ${USER}\r\nPASS ${PASS}\r\n`);
      const [u, p] = await replies(c, 2);
      assert.match(u, /^\+OK/);
      assert.match(p, /^\+OK/);
      for (const cmd of ['USER x', 'PASS y', 'AUTH PLAIN', 'STLS', 'APOP a b']) {
        c.write(cmd + '\r\n');
        assertErr((await replies(c, 1))[0], `${cmd} in TRANSACTION`);
        if (c.closed) return;
      }
    },
  },
  {
    name: 'AUTH with garbage base64',
    login: false,
    async run(c) {
      c.write('AUTH PLAIN !!!not*base64###\r\n');
      assertErr((await replies(c, 1))[0], 'garbage initial response');
      if (c.closed) return;
      c.write('AUTH PLAIN\r\n');
      const [cont] = await replies(c, 1);
      if (c.closed) return;
      assert.match(cont, /^\+/);
      c.write('%%%%====\r\n');
      assertErr((await replies(c, 1))[0], 'garbage continuation');
      if (c.closed) return;
      c.write('AUTH LOGIN\r\n');
      await replies(c, 1);
      c.write('*\r\n');
      assertErr((await replies(c, 1))[0], 'cancelled exchange');
      if (c.closed) return;
      c.write(`AUTH PLAIN ${'QUFB'.repeat(5000)}\r\n`);
      assertErr((await replies(c, 1))[0], '20 KB initial response');
      if (c.closed) return;
      c.write(`AUTH PLAIN ${Buffer.from('\0\0\0').toString('base64')}\r\n`);
      assertErr((await replies(c, 1))[0], 'NULs only');
      if (c.closed) return;
      c.write('AUTH X-NOPE\r\n');
      assertErr((await replies(c, 1))[0], 'unknown mechanism');
    },
  },
  {
    name: '5000 pipelined STATs in one write, all answered',
    async run(c) {
      c.write('STAT\r\n'.repeat(5000));
      await c.expect((x) => (x.match(/\+OK/g) ?? []).length >= 5000, '5000 answers', 15000);
      assert.equal(c.text.split('\r\n').filter((l) => l.startsWith('+OK 1 ')).length, 5000);
    },
  },
  {
    name: '300 pipelined RETRs without reading (back-pressure)',
    async run(c) {
      c.socket.pause();
      c.write('RETR 1\r\n'.repeat(300) + 'UIDL 1\r\n');
      await new Promise((r) => setTimeout(r, 300));
      c.socket.resume();
      await c.expect((x) => /\.\r\n\+OK 1 [^\r]+\r\n$/.test(x), 'all RETRs then UIDL 1', 15000);
      assert.equal((c.text.match(/last line without CRLF\r\n\.\r\n/g) ?? []).length, 300);
    },
  },
  {
    name: 'RETR of a message with bare LF, lone dot lines, 8-bit and no final CRLF: CRLF-clean and dot-stuffed',
    async run(c) {
      c.write('RETR 1\r\n');
      await c.expect((x) => /\r\n\.\r\n$/.test(x), 'RETR body');
      const got = c.buf;
      const nl = got.indexOf('\r\n');
      assert.match(got.toString('latin1', 0, nl), /^\+OK/);
      const body = got.subarray(nl + 2);
      // expected: every line end CRLF, lines starting with "." get one more, a final CRLF, then ".\r\n"
      const lines = SEEDED.toString('latin1').split(/\r?\n/);
      const want = Buffer.from(lines.map((l) => (l.startsWith('.') ? '.' + l : l)).join('\r\n') + '\r\n.\r\n', 'latin1');
      assert.ok(body.equals(want), `RETR bytes:\n${JSON.stringify(body.toString('latin1'))}\nwant:\n${JSON.stringify(want.toString('latin1'))}`);
    },
  },
  {
    name: 'DELE then drop the connection: nothing deleted; DELE twice; QUIT commits',
    async run(c, f) {
      c.write('DELE 1\r\nDELE 1\r\nRETR 1\r\n');
      const [d1, d2, r] = await replies(c, 3);
      assert.match(d1, /^\+OK/);
      assertErr(d2, 'second DELE of the same message');
      assertErr(r, 'RETR of a deleted message');
      c.destroy();
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(await f.inboxCount(), 1, 'a dropped connection deletes nothing');
    },
  },
];

describeOnBackends((backend) => `POP3 hostile input (${backend} store)`, (fixture) => {
  for (const k of cases) {
    test(k.name, { timeout: 30_000 }, async () => {
      const f = fixture();
      const c = k.login === false ? await f.pop3Connect() : await f.pop3Login();
      try {
        await k.run(c, f);
      } finally {
        c.destroy();
      }
      // a session's maildrop lock is released when its socket closes
      await new Promise((r) => setTimeout(r, 50));
      await f.assertHealthy();
    });
  }
});
