/**
 * Crash safety of the real `letterbox serve` process (SQLite store):
 *  (a) every message acknowledged with SMTP 250 survives a SIGKILL sent the moment the 250
 *      arrives, byte-exact after the trace fields we prepend;
 *  (b) the same for IMAP APPEND OK [APPENDUID]: byte-exact under the acknowledged UID;
 *  (c) a SIGKILL in the middle of a big APPEND literal and a big SMTP DATA: the server
 *      restarts cleanly and nothing half-stored appears;
 *  (d) SIGTERM with IDLE and POP3 sessions open: BYE / -ERR, exit code 0 within seconds.
 * After each crash the database passes SQLite's integrity check.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RawClient } from './raw.js';
import { makeServeHome, addUserViaCli, type ServeHome, type ServeProcess } from '../e2e/serve-process.js';
import { fetchAll } from '../e2e/imap-raw.js';

const USER = 'crash@example.test';
const PASS = 'crash-test-password-1';
/** a second local recipient: one 250 covers both copies */
const USER2 = 'crash2@example.test';

function original(kind: string, n: number): Buffer {
  const filler = `${kind} ${n} `.repeat(20 + ((n * 37) % 400)) + '\r\n';
  return Buffer.concat([
    Buffer.from(`From: sender@remote.test\r\nTo: ${USER}\r\nSubject: ${kind} ${n}\r\nMessage-ID: <${kind}-${n}@remote.test>\r\n\r\n`),
    Buffer.from(filler),
    Buffer.from([0xe9, 0x0d, 0x0a]),
    Buffer.from(`end of ${kind} ${n}\r\n`),
  ]);
}

function integrityCheck(dataDir: string): void {
  const db = new Database(join(dataDir, 'letterbox.db'));
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}

/** takes exactly one complete SMTP reply from the buffer (its last line, "ddd text") */
async function smtpReply(c: RawClient, timeoutMs = 10_000): Promise<string> {
  const re = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/;
  const ok = await c.until((x) => re.test(x), timeoutMs);
  if (!ok) return c.closed ? 'closed' : 'timeout';
  const m = re.exec(c.text)!;
  c.buf = c.buf.subarray(m[0].length);
  return m[0].trimEnd().split('\r\n').pop()!;
}

async function smtpConnect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  assert.match(await smtpReply(c), /^220 /);
  c.write('EHLO crash.test\r\n');
  assert.match(await smtpReply(c), /^250 /);
  return c;
}

async function imapLogin(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.expect((x) => x.includes('\r\n'), 'greeting', 10_000);
  c.take();
  c.write(`L LOGIN ${USER} "${PASS}"\r\n`);
  await c.expect((x) => /^L (OK|NO|BAD)/m.test(x), 'LOGIN', 10_000);
  assert.match(c.take(), /^L OK/m);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of letterbox serve (SIGKILL / SIGTERM)', { timeout: 120_000 }, () => {
  let home: ServeHome;
  before(async () => {
    home = makeServeHome();
    await addUserViaCli(home, USER, PASS);
    const u2 = await home.cli(['user', 'add', USER2], `${PASS}\n`);
    assert.equal(u2.code, 0, u2.stderr);
  });
  after(async () => {
    await home?.cleanup();
  });

  /** restarts, reads INBOX over IMAP, checks the database */
  async function restartAndRead(): Promise<{ server: ServeProcess; inbox: Map<number, Buffer> }> {
    integrityCheck(home.dataDir);
    const server = await home.start();
    const inbox = await fetchAll(server.ports.imap, USER, PASS);
    return { server, inbox };
  }

  async function stop(server: ServeProcess): Promise<void> {
    server.child.kill('SIGTERM');
    const x = await server.exited;
    assert.equal(x.code, 0, `clean exit after SIGTERM: ${server.stderr()}`);
  }

  test('(a) every SMTP 250 (two local recipients) survives a SIGKILL sent the moment it arrives', { timeout: 60_000 }, async () => {
    const server = await home.start();
    const acked: number[] = [];
    const KILL_AT = 25;
    let killed = false;
    let next = 0;
    const sender = async () => {
      const c = await smtpConnect(server.ports.smtp);
      try {
        while (!killed) {
          const n = next++;
          c.write(`MAIL FROM:<sender@remote.test>\r\nRCPT TO:<${USER}>\r\nRCPT TO:<${USER2}>\r\nDATA\r\n`);
          const r1 = await smtpReply(c);
          if (killed || !r1.startsWith('250')) break;
          const r2 = await smtpReply(c);
          if (killed || !r2.startsWith('250')) break;
          const r2b = await smtpReply(c);
          if (killed || !r2b.startsWith('250')) break;
          const r3 = await smtpReply(c);
          if (killed || !r3.startsWith('354')) break;
          c.write(Buffer.concat([original('smtp', n), Buffer.from('.\r\n')]));
          const r4 = await smtpReply(c);
          if (r4.startsWith('250') && !killed) {
            acked.push(n);
            if (acked.length >= KILL_AT) {
              killed = true;
              server.child.kill('SIGKILL'); // at once, in the tick the 250 arrived
            }
          }
          if (!r4.startsWith('250')) break;
        }
      } finally {
        c.destroy();
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    if (!killed) server.child.kill('SIGKILL');
    const x = await server.exited;
    assert.equal(x.signal, 'SIGKILL');
    assert.ok(acked.length >= KILL_AT, `acknowledged ${acked.length}`);

    const { server: again, inbox } = await restartAndRead();
    try {
      const inbox2 = await fetchAll(again.ports.imap, USER2, PASS);
      for (const [who, box] of [[USER, inbox], [USER2, inbox2]] as const) {
        const stored = [...box.values()];
        for (const n of acked) {
          const want = original('smtp', n);
          const hit = stored.filter((m) => m.length >= want.length && m.subarray(m.length - want.length).equals(want));
          assert.equal(hit.length, 1, `${who}: acknowledged SMTP message ${n} present once, byte-exact after the trace fields`);
        }
      }
      // whatever else got in (committed but not yet acknowledged) is complete
      for (const m of [...inbox.values(), ...inbox2.values()]) {
        const subject = /Subject: smtp (\d+)/.exec(m.toString('latin1'));
        assert.ok(subject, 'every stored message is one we sent');
        const want = original('smtp', Number(subject[1]));
        assert.ok(m.subarray(m.length - want.length).equals(want), `message ${subject[1]} is complete`);
      }
    } finally {
      await stop(again);
    }
  });

  test('(b) every IMAP APPEND OK [APPENDUID] survives a SIGKILL sent the moment it arrives', { timeout: 60_000 }, async () => {
    const server = await home.start();
    const before = await fetchAll(server.ports.imap, USER, PASS);
    const acked = new Map<number, Buffer>(); // uid → bytes
    const KILL_AT = 25;
    let killed = false;
    let next = 0;
    const appender = async () => {
      const c = await imapLogin(server.ports.imap);
      try {
        while (!killed) {
          const n = next++;
          const raw = original('imap', n);
          c.write(Buffer.concat([Buffer.from(`A${n} APPEND INBOX (\\Seen) {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
          const ok = await c.until((x) => new RegExp(`^A${n} (OK|NO|BAD)[^\\r]*\\r\\n`, 'm').test(x), 10_000);
          const text = c.take();
          if (!ok) break;
          const m = new RegExp(`^A${n} OK \\[APPENDUID \\d+ (\\d+)\\]`, 'm').exec(text);
          assert.ok(m || killed, `APPEND answered OK [APPENDUID]: ${text}`);
          if (m && !killed) {
            acked.set(Number(m[1]), raw);
            if (acked.size >= KILL_AT) {
              killed = true;
              server.child.kill('SIGKILL');
            }
          }
        }
      } finally {
        c.destroy();
      }
    };
    await Promise.all([appender(), appender(), appender()]);
    if (!killed) server.child.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');

    const { server: again, inbox } = await restartAndRead();
    try {
      for (const [uid, raw] of acked) {
        const got = inbox.get(uid);
        assert.ok(got, `acknowledged APPENDUID ${uid} present`);
        assert.ok(got.equals(raw), `APPENDUID ${uid} byte-exact`);
      }
      for (const [uid, m] of inbox) {
        if (before.has(uid)) continue;
        const subject = /Subject: imap (\d+)/.exec(m.toString('latin1'));
        assert.ok(subject, `uid ${uid} is one we appended`);
        assert.ok(m.equals(original('imap', Number(subject[1]))), `uid ${uid} complete`);
      }
    } finally {
      await stop(again);
    }
  });

  test('(c) SIGKILL in the middle of a big APPEND literal and a big SMTP DATA: clean restart, nothing half-stored', { timeout: 60_000 }, async () => {
    const server = await home.start();
    const before = await fetchAll(server.ports.imap, USER, PASS);
    const big = Buffer.concat([Buffer.from(`Subject: big\r\nTo: ${USER}\r\n\r\n`), Buffer.alloc(6 * 1024 * 1024, 'b')]);

    const imap = await imapLogin(server.ports.imap);
    imap.write(`B1 APPEND INBOX {${big.length}}\r\n`);
    await imap.expect((x) => /^\+/m.test(x), 'continuation for the big literal', 10_000);
    imap.write(big.subarray(0, 2 * 1024 * 1024));

    const smtp = await smtpConnect(server.ports.smtp);
    smtp.write(`MAIL FROM:<sender@remote.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
    for (let k = 0; k < 3; k++) await smtpReply(smtp);
    smtp.write(big.subarray(0, 3 * 1024 * 1024));

    await sleep(300); // let the server take in what was sent
    server.child.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');
    imap.destroy();
    smtp.destroy();

    const { server: again, inbox } = await restartAndRead();
    try {
      assert.deepEqual([...inbox.keys()], [...before.keys()], 'no new message after the crash');
      for (const [uid, m] of inbox) assert.ok(m.equals(before.get(uid)!), `uid ${uid} unchanged`);
      // and the restarted server takes mail normally
      const c = await smtpConnect(again.ports.smtp);
      c.write(`MAIL FROM:<sender@remote.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
      for (let k = 0; k < 3; k++) await smtpReply(c);
      c.write(Buffer.concat([original('after', 1), Buffer.from('.\r\n')]));
      assert.match(await smtpReply(c), /^250 /);
      c.destroy();
    } finally {
      await stop(again);
    }
  });

  /** appends n messages over IMAP in one pipelined write; returns their Message-IDs' numbers */
  async function seedOverImap(port: number, kind: string, n: number): Promise<void> {
    const c = await imapLogin(port);
    const parts: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      const raw = original(kind, k);
      parts.push(Buffer.from(`P${k} APPEND INBOX {${raw.length}+}\r\n`), raw, Buffer.from('\r\n'));
    }
    c.write(Buffer.concat(parts));
    await c.expect((x) => new RegExp(`^P${n - 1} (OK|NO|BAD)`, 'm').test(x), 'all seeding APPENDs answered', 20_000);
    assert.equal((c.text.match(/^P\d+ OK/gm) ?? []).length, n);
    c.destroy();
  }

  /** kind → numbers found in a mailbox, each must be a complete original */
  function numbersIn(box: Map<number, Buffer>, kind: string): number[] {
    const out: number[] = [];
    for (const m of box.values()) {
      const k = new RegExp(`Subject: ${kind} (\\d+)`).exec(m.toString('latin1'));
      if (!k) continue;
      assert.ok(m.equals(original(kind, Number(k[1]))), `${kind} ${k[1]} complete`);
      out.push(Number(k[1]));
    }
    return out.sort((a, b) => a - b);
  }

  test('(e) SIGKILL during a big UID MOVE: every message is in exactly one of the two mailboxes', { timeout: 60_000 }, async (t) => {
    const N = 400;
    const server = await home.start();
    await seedOverImap(server.ports.imap, 'move', N);
    const c = await imapLogin(server.ports.imap);
    c.write('S SELECT INBOX\r\nM UID MOVE 1:* Archive\r\n');
    await c.until((x) => /^S OK/m.test(x), 5000); // SELECT done: the MOVE is being processed now
    await sleep(Number(process.env.LETTERBOX_MOVE_KILL_MS ?? 80)); // a 400-message MOVE takes some tens of ms
    server.child.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');
    c.destroy();

    const again = await home.start();
    try {
      const inbox = numbersIn(await fetchAll(again.ports.imap, USER, PASS, 'INBOX'), 'move');
      const archive = numbersIn(await fetchAll(again.ports.imap, USER, PASS, 'Archive'), 'move');
      const all = [...inbox, ...archive].sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: N }, (_, k) => k), `each message once (INBOX ${inbox.length}, Archive ${archive.length})`);
      t.diagnostic(`after the crash: INBOX ${inbox.length}, Archive ${archive.length}`);
    } finally {
      await stop(again);
    }
  });

  test('(f) SIGKILL right after POP3 QUIT with every message deleted: all or nothing', { timeout: 60_000 }, async (t) => {
    const N = 60;
    const server = await home.start();
    // a clean INBOX: earlier tests left messages; move them away over IMAP
    const c0 = await imapLogin(server.ports.imap);
    c0.write('S SELECT INBOX\r\nM UID MOVE 1:* Trash\r\n');
    await c0.expect((x) => /^M (OK|NO|BAD)/m.test(x), 'MOVE', 10_000);
    c0.destroy();
    await seedOverImap(server.ports.imap, 'pop', N);
    const p = await RawClient.connect(server.ports.pop3);
    await p.expect((x) => x.includes('\r\n'), 'POP3 greeting', 10_000);
    let cmds = `USER ${USER}\r\nPASS ${PASS}\r\n`;
    for (let k = 1; k <= N; k++) cmds += `DELE ${k}\r\n`;
    p.write(cmds);
    await p.expect((x) => x.split('\r\n').length >= N + 4, 'DELE replies', 10_000);
    p.write('QUIT\r\n');
    await sleep(2); // QUIT is on its way: the UPDATE state may be anywhere in its work
    server.child.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');
    p.destroy();

    const again = await home.start();
    try {
      const inbox = numbersIn(await fetchAll(again.ports.imap, USER, PASS, 'INBOX'), 'pop');
      assert.ok(inbox.length === 0 || inbox.length === N, `POP3 deletions are all-or-nothing: ${inbox.length} of ${N} left`);
      t.diagnostic(`after the crash: ${inbox.length} of ${N} left in INBOX`);
      if (inbox.length === N) assert.deepEqual(inbox, Array.from({ length: N }, (_, k) => k));
    } finally {
      await stop(again);
    }
  });

  test('(d) SIGTERM with IDLE and POP3 sessions open: BYE / -ERR, exit code 0 within seconds', { timeout: 60_000 }, async () => {
    const server = await home.start();
    const idle = await imapLogin(server.ports.imap);
    idle.write('S SELECT INBOX\r\nI IDLE\r\n');
    await idle.expect((x) => /^\+/m.test(x), 'IDLE continuation', 10_000);
    idle.take();

    const idleTls = await RawClient.connect(server.ports.imaps, true);
    await idleTls.expect((x) => x.includes('\r\n'), 'IMAPS greeting', 10_000);
    idleTls.write(`L LOGIN ${USER} "${PASS}"\r\nS SELECT INBOX\r\nI IDLE\r\n`);
    await idleTls.expect((x) => /^\+/m.test(x), 'IMAPS IDLE continuation', 10_000);
    idleTls.take();

    const pop = await RawClient.connect(server.ports.pop3);
    await pop.expect((x) => x.includes('\r\n'), 'POP3 greeting', 10_000);
    pop.write(`USER ${USER}\r\nPASS ${PASS}\r\n`);
    await pop.expect((x) => x.split('\r\n').length >= 4, 'POP3 login', 10_000);
    assert.match(pop.take(), /\+OK[^\r]*\r\n\+OK[^\r]*\r\n\+OK/);

    const smtp = await smtpConnect(server.ports.submission);

    const t0 = Date.now();
    server.child.kill('SIGTERM');
    const exit = await Promise.race([server.exited, sleep(8000).then(() => null)]);
    assert.ok(exit, `letterbox serve exits within 8 s of SIGTERM (stderr: ${server.stderr()})`);
    assert.equal(exit.code, 0, `exit code 0 (stderr: ${server.stderr()})`);
    assert.ok(Date.now() - t0 < 8000);

    await idle.waitClosed(2000);
    assert.match(idle.text, /^\* BYE/m, `IDLE session told BYE: ${JSON.stringify(idle.text)}`);
    await idleTls.waitClosed(2000);
    assert.match(idleTls.text, /^\* BYE/m, `IMAPS IDLE session told BYE: ${JSON.stringify(idleTls.text)}`);
    await pop.waitClosed(2000);
    assert.match(pop.text, /^-ERR/m, `POP3 session told -ERR: ${JSON.stringify(pop.text)}`);
    await smtp.waitClosed(2000);
    assert.match(smtp.text, /^421 /m, `SMTP session told 421: ${JSON.stringify(smtp.text)}`);
    for (const c of [idle, idleTls, pop, smtp]) c.destroy();
    integrityCheck(home.dataDir);
  });
});
