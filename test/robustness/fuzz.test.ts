/**
 * Seeded fuzz loops, one per protocol, bounded in count and time. Each generates commands
 * from the protocol's own vocabulary with random, oversized and malformed arguments, then
 * mutates some of them at the byte level (flips, NULs, 8-bit, cut, doubled, stray literal
 * markers). The fuzzing happens in a separate account ("fuzz@") so destructive commands
 * are fair game there; afterwards:
 *   - no uncaught exception / unhandled rejection was recorded;
 *   - every protocol answers a fresh connection and alice's seeded message is byte-exact;
 *   - every one of fuzz@'s original messages that still exists is byte-exact.
 * Set LETTERBOX_FUZZ_SEED / LETTERBOX_FUZZ_COUNT to explore beyond the fixed seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends, rng, RawClient, PASS, type Fixture } from './harness.js';

const FUZZ_USER = 'fuzz@example.test';
const SEED = Number(process.env.LETTERBOX_FUZZ_SEED ?? 20261126);
const COUNT = Number(process.env.LETTERBOX_FUZZ_COUNT ?? 600);
const TIME_MS = Number(process.env.LETTERBOX_FUZZ_TIME_MS ?? 7000);

type R = ReturnType<typeof rng>;

const ORIGINALS = [
  'From: a@example.test\r\nSubject: one\r\n\r\nbody one\r\n',
  'From: b@example.test\r\nSubject: two\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\npart\r\n--x--\r\n',
  'Subject: bare lf\nX: y\n\n.\n..\nend',
].map((s) => Buffer.from(s));

function numberish(r: R): string {
  return r.pick(['0', '1', '2', '3', '*', '-1', '4294967295', '4294967296', '99999999999999999999', '1:*', '*:1', '1,2,3', '1:3,5', '$', '', 'x', '1.5', '0:0']);
}

function stringish(r: R): string {
  switch (r.int(8)) {
    case 0:
      return '"' + 'q'.repeat(r.int(50)) + '"';
    case 1:
      return `{${r.pick([0, 1, 5, 100, 99999999999])}${r.pick(['', '+'])}}`;
    case 2:
      return 'x'.repeat(r.pick([1, 10, 1000, 10_000]));
    case 3:
      return '"' + r.bytes(r.int(20)).toString('latin1').replace(/["\\\r\n]/g, '') + '"';
    case 4:
      return '(' .repeat(r.int(40)) + 'A' + ')'.repeat(r.int(40));
    case 5:
      return 'INBOX';
    case 6:
      return '"INBOX/' + r.pick(['a', 'ü', '&AOk-', '%', '*', '..', '/']) + '"';
    default:
      return r.pick(['NIL', '()', '""', '\\Seen', '\\Deleted', '$Junk', 'UTF-8', 'ALL']);
  }
}

function imapCommand(r: R): string {
  const tag = r.pick(['A', 'b1', '*', '+', '', 'x'.repeat(300), 'T' + r.int(1000)]);
  const uid = r.int(4) === 0 ? 'UID ' : '';
  const cmds = [
    () => `SELECT ${stringish(r)}`,
    () => `EXAMINE ${stringish(r)}`,
    () => `${uid}FETCH ${numberish(r)} ${r.pick(['FLAGS', 'BODY[]', 'BODY.PEEK[1.2.3]', 'BODY[HEADER.FIELDS (SUBJECT)]<0.5>', 'BINARY[1]', 'BODYSTRUCTURE', 'ENVELOPE', '(FLAGS UID RFC822.SIZE)', 'ALL', 'FULL', 'BODY[TEXT]<4294967295.1>', '(' + stringish(r)])}`,
    () => `${uid}STORE ${numberish(r)} ${r.pick(['+FLAGS', '-FLAGS.SILENT', 'FLAGS', 'X'])} (${stringish(r)})`,
    () => `${uid}SEARCH ${r.pick(['', 'CHARSET UTF-8 ', 'RETURN (SAVE) ', 'RETURN (MIN MAX COUNT) '])}${Array.from({ length: r.int(5) + 1 }, () => r.pick(['ALL', 'NOT', 'OR', 'SUBJECT', 'BODY', 'TEXT', 'HEADER', 'LARGER', 'SINCE', 'BEFORE', '1-Jan-2020', '99999999999999', stringish(r), numberish(r), '(', ')'])).join(' ')}`,
    () => `${uid}COPY ${numberish(r)} ${stringish(r)}`,
    () => `${uid}MOVE ${numberish(r)} ${stringish(r)}`,
    () => `${uid}EXPUNGE ${numberish(r)}`.trim(),
    () => `APPEND ${stringish(r)} ${r.pick(['', '(\\Seen) ', '"01-Jan-2020 00:00:00 +0000" '])}${r.pick(['{5+}\r\nHello', '{0+}\r\n', '{3+}\r\nabcdef', '{99999999999+}', stringish(r)])}`,
    () => `CREATE ${stringish(r)}`,
    () => `DELETE ${stringish(r)}`,
    () => `RENAME ${stringish(r)} ${stringish(r)}`,
    () => `LIST ${stringish(r)} ${stringish(r)}${r.pick(['', ' RETURN (CHILDREN STATUS (MESSAGES))', ' RETURN ('])}`,
    () => `STATUS ${stringish(r)} (${r.pick(['MESSAGES', 'UIDNEXT UNSEEN', 'SIZE', 'X', ''])})`,
    () => `LOGIN ${stringish(r)} ${stringish(r)}`,
    () => `AUTHENTICATE ${r.pick(['PLAIN', 'LOGIN', 'X'])} ${r.pick(['', '=', '!!!', Buffer.from(r.bytes(r.int(40))).toString('base64')])}`.trim(),
    () => `ENABLE ${r.pick(['UTF8=ACCEPT', 'IMAP4rev2', 'CONDSTORE', 'QRESYNC', 'X'])}`,
    () => r.pick(['NOOP', 'CHECK', 'CLOSE', 'UNSELECT', 'CAPABILITY', 'NAMESPACE', 'IDLE', 'DONE', 'STARTTLS', 'ID NIL', 'ID ("a" "b")', 'LSUB "" *']),
    // CONDSTORE / QRESYNC / ESEARCH / SEARCHRES paths (RFC 7162, 4731, 5182)
    () => `SELECT INBOX (${r.pick(['CONDSTORE', `QRESYNC (${numberish(r)} ${numberish(r)} ${numberish(r)})`, 'QRESYNC (1 2 1:* (1:3 1:3))', 'X', ''])})`,
    () => `${uid}FETCH ${numberish(r)} (FLAGS MODSEQ) (CHANGEDSINCE ${numberish(r)}${r.pick(['', ' VANISHED'])})`,
    () => `${uid}STORE ${numberish(r)} (UNCHANGEDSINCE ${numberish(r)}) +FLAGS (${stringish(r)})`,
    () => `${uid}SEARCH RETURN (${r.pick(['SAVE', 'MIN', 'ALL COUNT', 'PARTIAL 1:10', ''])}) ${r.pick(['MODSEQ 1', 'MODSEQ "/flags/\\\\draft" all 1', '$', 'UID $', 'ALL'])}`,
    () => `${uid}${r.pick(['COPY', 'MOVE', 'FETCH', 'STORE'])} $ ${r.pick(['Archive', 'FLAGS', '+FLAGS (x)'])}`,
    () => r.bytes(r.int(60)).toString('latin1'),
  ];
  return `${tag} ${r.pick(cmds)()}`;
}

function pop3Command(r: R): string {
  const a = () => r.pick(['1', '2', '3', '0', '-1', '99999999999999999999', 'x', '', ' ', '1 2', 'x'.repeat(r.pick([10, 600, 9000]))]);
  return r.pick([
    () => `USER ${r.pick([FUZZ_USER, '', 'x'.repeat(600)])}`,
    () => `PASS ${r.pick([PASS, 'wrong', ''])}`,
    () => `RETR ${a()}`,
    () => `TOP ${a()} ${a()}`,
    () => `DELE ${a()}`,
    () => `LIST ${a()}`,
    () => `UIDL ${a()}`,
    () => r.pick(['STAT', 'NOOP', 'RSET', 'CAPA', 'QUIT', 'STLS', 'APOP a b', 'UTF8', 'LANG']),
    () => `AUTH ${r.pick(['PLAIN', 'LOGIN', 'X', ''])} ${r.pick(['', '=', '*', '!!!', Buffer.from(`\0${FUZZ_USER}\0${PASS}`).toString('base64'), Buffer.from(r.bytes(30)).toString('base64')])}`,
    () => r.bytes(r.int(60)).toString('latin1'),
  ])();
}

function smtpCommand(r: R): string {
  const addr = () =>
    r.pick(['<fuzz@example.test>', '<>', '<x@elsewhere.test>', 'fuzz@example.test', '<' + 'a'.repeat(r.pick([10, 300, 5000])) + '@example.test>', '<"q u"@example.test>', '<@a,@b:fuzz@example.test>', '<fuzz+tag@example.test>']);
  return r.pick([
    () => `${r.pick(['EHLO', 'HELO', 'LHLO'])} ${r.pick(['client.test', '', '[127.0.0.1]', 'x'.repeat(600)])}`,
    () => `MAIL FROM:${addr()}${r.pick(['', ' SIZE=10', ' SIZE=99999999999999999999', ' BODY=8BITMIME', ' SMTPUTF8', ' BODY=X', ' RET=FULL'])}`,
    () => `RCPT TO:${addr()}${r.pick(['', ' NOTIFY=NEVER', ' ORCPT=rfc822;x'])}`,
    () => `DATA\r\nSubject: fuzz\r\n\r\n${r.bytes(r.int(200)).toString('latin1').replace(/\r\n\.\r\n/g, '')}\r\n.`,
    () => r.pick(['RSET', 'NOOP', 'QUIT', 'DATA', 'VRFY fuzz', 'EXPN all', 'HELP', 'TURN', 'ETRN x', 'BDAT 5 LAST', 'STARTTLS', 'AUTH PLAIN AAAA', 'AUTH LOGIN']),
    () => r.bytes(r.int(60)).toString('latin1'),
  ])();
}

/** byte-level mutation of a command line */
function mutate(r: R, line: string): Buffer {
  let b = Buffer.from(line, 'latin1');
  switch (r.int(10)) {
    case 0: {
      b = Buffer.from(b);
      for (let k = 0; k < 1 + r.int(3) && b.length; k++) b[r.int(b.length)] = r.int(256);
      break;
    }
    case 1:
      b = Buffer.concat([b.subarray(0, r.int(b.length + 1)), Buffer.from([0])]);
      break;
    case 2:
      b = b.subarray(0, r.int(b.length + 1));
      break;
    case 3:
      b = Buffer.concat([b, Buffer.from(' '), b]);
      break;
    case 4:
      b = Buffer.concat([b, Buffer.from([0xc3, 0x28, 0xff])]);
      break;
    default:
      break;
  }
  const end = r.pick(['\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r', '\r\n\r\n']);
  return Buffer.concat([b, Buffer.from(end)]);
}

interface Loop {
  name: string;
  connect(f: Fixture, r: R): Promise<RawClient>;
  gen(r: R): string;
}

const loops: Loop[] = [
  {
    name: 'IMAP',
    async connect(f, r) {
      const c = await RawClient.connect(f.imapPort);
      const enable = r.pick(['', 'E ENABLE IMAP4rev2\r\n', 'E ENABLE UTF8=ACCEPT CONDSTORE\r\n', 'E ENABLE QRESYNC\r\n']);
      c.write(`L LOGIN ${FUZZ_USER} "${PASS}"\r\n${enable}S SELECT INBOX\r\n`);
      return c;
    },
    gen: imapCommand,
  },
  {
    name: 'POP3',
    async connect(f) {
      const c = await RawClient.connect(f.pop3Port);
      c.write(`USER ${FUZZ_USER}\r\nPASS ${PASS}\r\n`);
      return c;
    },
    gen: pop3Command,
  },
  {
    name: 'SMTP',
    async connect(f) {
      const c = await RawClient.connect(f.smtpPort);
      // smtp-server hangs up on clients that talk before the greeting (421 "You talk too soon")
      await c.until((x) => x.includes('\r\n'), 5000);
      c.write('EHLO fuzz.test\r\n');
      return c;
    },
    gen: smtpCommand,
  },
];

async function fuzzAccount(f: Fixture): Promise<{ id: number; inbox: number; uids: number[] }> {
  const acct = await f.t.addUser(FUZZ_USER, PASS);
  const store = f.t.ctx.store;
  const inbox = (await store.getMailbox(acct.id, 'INBOX'))!;
  const uids: number[] = [];
  for (const raw of ORIGINALS) uids.push((await store.append(acct.id, inbox.id, { raw })).uid);
  return { id: acct.id, inbox: inbox.id, uids };
}

const fuzzAccounts = new Map<Fixture, { id: number; inbox: number; uids: number[] }>();

describeOnBackends((backend) => `seeded fuzz (${backend} store, seed ${SEED})`, (fixture, backend) => {
  for (const [li, loop] of loops.entries()) {
    test(`${loop.name}: ${COUNT} fuzzed commands`, { timeout: 30_000 + TIME_MS }, async (t) => {
      const f = fixture();
      const fz = fuzzAccounts.get(f)!;
      const r = rng(SEED + li * 7919 + (backend === 'sqlite' ? 1 : 0));
      const started = Date.now();
      let c = await loop.connect(f, r);
      let connections = 1;
      let sent = 0;
      // internal errors the server caught and reported (a bug even if nothing crashed)
      const internal: string[] = [];
      const seen = { ok: 0, no: 0, bad: 0 };
      const scan = (text: string) => {
        seen.ok += (text.match(/^(\S+ OK|\+OK|2\d\d )/gm) ?? []).length;
        seen.no += (text.match(/^(\S+ NO|-ERR|[45]\d\d )/gm) ?? []).length;
        seen.bad += (text.match(/^\S+ BAD/gm) ?? []).length;
        for (const m of text.matchAll(/^.*(SERVERBUG|SYS\/TEMP|^451 4\.3\.0).*$/gm)) internal.push(m[0].slice(0, 200));
      };
      try {
        while (sent < COUNT && Date.now() - started < TIME_MS) {
          if (c.closed) {
            scan(c.take());
            c = await loop.connect(f, r);
            connections++;
          }
          const burst = 1 + r.int(6);
          for (let k = 0; k < burst; k++, sent++) c.write(mutate(r, loop.gen(r)));
          // let the server answer now and then (and drop what it said)
          if (r.int(3) === 0) await c.until(() => false, 5);
          if (c.buf.length > 1 << 20) scan(c.take());
          if (r.int(40) === 0) {
            scan(c.take());
            c.destroy();
            await new Promise((res) => setTimeout(res, 5));
          }
        }
      } finally {
        scan(c.take());
        c.destroy();
      }
      assert.deepEqual(internal, [], 'no internal error reported to a client');
      assert.ok(sent > 50, `sent ${sent} commands over ${connections} connections`);
      t.diagnostic(`${sent} commands over ${connections} connections in ${Date.now() - started} ms; replies seen: ${JSON.stringify(seen)}`);
      await new Promise((res) => setTimeout(res, 200));
      await f.assertHealthy();
      // fuzz@'s original messages are intact wherever they still are
      const store = f.t.ctx.store;
      for (const mb of await store.listMailboxes(fz.id)) {
        const snap = await store.snapshot(fz.id, mb.id);
        for (const uid of snap.uids) {
          const raw = await store.getRaw(fz.id, mb.id, uid);
          if (mb.id === fz.inbox && fz.uids.includes(uid)) {
            assert.ok(raw.equals(ORIGINALS[fz.uids.indexOf(uid)]!), `fuzz@ INBOX uid ${uid} byte-exact`);
          }
          // copies (COPY/MOVE into other mailboxes) of an original are byte-exact too
          const like = ORIGINALS.findIndex((o) => raw.subarray(0, 20).equals(o.subarray(0, 20)));
          if (like >= 0 && !raw.includes('Received:')) assert.ok(raw.equals(ORIGINALS[like]!), `copy in ${mb.name} uid ${uid} byte-exact`);
        }
      }
    });
  }
}, { setup: async (f) => void fuzzAccounts.set(f, await fuzzAccount(f)) });
