/**
 * Concurrency chaos on one account (memory and SQLite store): IMAP sessions appending, moving, copying,
 * flagging and fetching while SMTP delivers and POP3 sessions download, all at once for a
 * bounded time. Afterwards: nothing crashed, no internal error was reported, every message
 * acknowledged (APPEND OK, SMTP 250) is in INBOX or Archive exactly once (MOVE never loses or
 * duplicates), every stored message is complete, and UIDs are unique and ascending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, rng, USER, PASS, RawClient, type Fixture } from './harness.js';

const DURATION_MS = 3000;

function msg(kind: string, n: number): Buffer {
  return Buffer.from(`From: x@remote.test\r\nTo: ${USER}\r\nSubject: chaos ${kind} ${n}\r\nMessage-ID: <chaos-${kind}-${n}@test>\r\n\r\n${`${kind}${n} `.repeat(50)}\r\n`);
}

async function imapCmd(c: RawClient, tag: string, line: string | Buffer): Promise<string> {
  c.take();
  c.write(typeof line === 'string' ? `${tag} ${line}\r\n` : line);
  await c.expect((x) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r]*\\r\\n`, 'm').test(x) || c.closed, `reply to ${tag}`, 10_000);
  return c.text;
}

for (const backend of ['memory', 'sqlite'] as const) test(`chaos: concurrent IMAP, SMTP and POP3 on one account (${backend} store)`, { timeout: 60_000 }, async (t) => {
  const f: Fixture = await startFixture(backend);
  const acked = new Set<string>(); // "kind-n"
  const internal: string[] = [];
  const check = (text: string) => {
    for (const m of text.matchAll(/^.*(SERVERBUG|SYS\/TEMP|^451 ).*$/gm)) internal.push(m[0].slice(0, 200));
  };
  const stopAt = Date.now() + DURATION_MS;
  try {
    const imapWorker = async (w: number) => {
      const r = rng(1000 + w);
      const c = await f.imapLogin();
      await imapCmd(c, 'S', 'SELECT INBOX');
      let n = 0;
      let k = 0;
      while (Date.now() < stopAt && !c.closed) {
        const tag = `W${w}x${k++}`;
        let text: string;
        switch (r.int(7)) {
          case 0:
          case 1: {
            const id = `imap${w}-${n++}`;
            const raw = msg(`imap${w}`, n - 1);
            text = await imapCmd(c, tag, Buffer.concat([Buffer.from(`${tag} APPEND INBOX {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
            if (new RegExp(`^${tag} OK`, 'm').test(text)) acked.add(id);
            break;
          }
          case 2:
          {
            const from = 2 + r.int(60); // never UID 1: the seeded message stays put for assertHealthy()
            text = await imapCmd(c, tag, `UID MOVE ${from}:${from + r.int(20)} Archive`);
          }
            break;
          case 3:
            text = await imapCmd(c, tag, `UID COPY ${1 + r.int(60)} Trash`);
            break;
          case 4:
            text = await imapCmd(c, tag, `UID STORE 1:* ${r.pick(['+', '-'])}FLAGS.SILENT (\\Seen $chaos${r.int(3)})`);
            break;
          case 5:
            text = await imapCmd(c, tag, 'FETCH 1:* (UID FLAGS RFC822.SIZE)');
            break;
          default:
            text = await imapCmd(c, tag, r.pick(['NOOP', 'SELECT INBOX', 'UID SEARCH ALL', 'STATUS Archive (MESSAGES UIDNEXT)']));
        }
        check(text);
      }
      c.destroy();
    };
    const smtpWorker = async (w: number) => {
      let n = 0;
      while (Date.now() < stopAt) {
        const c = await f.smtpConnect();
        const reply = async (want: number) => {
          await c.expect((x) => new RegExp(`^\\d{3} [^\\r]*\\r\\n`, 'm').test(x) || c.closed, 'SMTP reply', 10_000);
          const text = c.take();
          check(text);
          return text.startsWith(String(want));
        };
        c.write('EHLO chaos.test\r\n');
        await c.expect((x) => /^250 /m.test(x), 'EHLO', 10_000);
        c.take();
        for (let k = 0; k < 5 && Date.now() < stopAt; k++) {
          const id = `smtp${w}-${n}`;
          const raw = msg(`smtp${w}`, n++);
          c.write(`MAIL FROM:<x@remote.test>\r\n`);
          if (!(await reply(250))) break;
          c.write(`RCPT TO:<${USER}>\r\n`);
          if (!(await reply(250))) break;
          c.write('DATA\r\n');
          if (!(await reply(354))) break;
          c.write(Buffer.concat([raw, Buffer.from('.\r\n')]));
          if (await reply(250)) acked.add(id);
        }
        c.destroy();
      }
    };
    const pop3Worker = async (w: number) => {
      const r = rng(2000 + w);
      while (Date.now() < stopAt) {
        const c = await f.pop3Connect();
        c.write(`USER ${USER}\r\nPASS ${PASS}\r\nSTAT\r\n`);
        await c.expect((x) => x.split('\r\n').length >= 4 || c.closed, 'POP3 login', 10_000);
        const stat = /\+OK (\d+) \d+\r\n$/.exec(c.text);
        check(c.take());
        if (stat) {
          const count = Number(stat[1]);
          for (let k = 0; k < 3 && count > 0; k++) {
            c.write(`RETR ${1 + r.int(count)}\r\n`);
            await c.expect((x) => /^-ERR[^\r]*\r\n/.test(x) || /\r\n\.\r\n$/.test(x) || c.closed, 'RETR', 10_000);
            check(c.take().slice(0, 200));
          }
        }
        c.write('QUIT\r\n'); // no DELE: QUIT changes nothing
        await c.until(() => c.closed, 2000);
        c.destroy();
      }
    };
    await Promise.all([imapWorker(1), imapWorker(2), imapWorker(3), smtpWorker(1), smtpWorker(2), pop3Worker(1)]);

    assert.deepEqual(internal, [], 'no internal error reported to any client');
    f.recorder.assertClean();
    const store = f.t.ctx.store;
    const where = new Map<string, string[]>();
    for (const box of ['INBOX', 'Archive', 'Trash']) {
      const mb = (await store.getMailbox(f.account.id, box))!;
      const snap = await store.snapshot(f.account.id, mb.id);
      const uids = [...snap.uids];
      for (let i = 1; i < uids.length; i++) assert.ok(uids[i]! > uids[i - 1]!, `${box}: UIDs ascend`);
      for (const uid of uids) {
        const raw = await store.getRaw(f.account.id, mb.id, uid);
        const m = /Subject: chaos (\w+?)(\d+) (\d+)/.exec(raw.toString('latin1'));
        if (!m) continue; // the seeded message
        const kind = `${m[1]}${m[2]}`;
        const want = msg(kind, Number(m[3]));
        assert.ok(raw.subarray(raw.length - want.length).equals(want), `${box} uid ${uid} complete`);
        const id = `${kind}-${m[3]}`;
        where.set(id, [...(where.get(id) ?? []), box]);
      }
    }
    for (const id of acked) {
      const boxes = (where.get(id) ?? []).filter((b) => b !== 'Trash');
      assert.equal(boxes.length, 1, `${id} is in exactly one of INBOX/Archive: ${JSON.stringify(where.get(id))}`);
    }
    t.diagnostic(`${acked.size} messages acknowledged; ${[...where.values()].filter((b) => b.includes('Archive')).length} moved to Archive`);
    await f.assertHealthy();
  } finally {
    await f.close();
  }
});
