/**
 * `npm run crash-campaign [-- --kills 100] [--seed N]`: what survives kill -9.
 *
 * A real `letterbox serve` (SQLite store in a temporary data directory) under a mixed load:
 *   - SMTP on port 25: messages to two local recipients (one 250 covers both copies),
 *     from 1 KB to 1.5 MB, so kills land inside DATA too;
 *   - IMAP APPEND (LITERAL+) into two mailboxes of a third account;
 *   - an IMAP client of that account moving messages to Archive and flagging them;
 *   - a POP3 client of the first recipient downloading and deleting (retain policy).
 * After a random time the server gets SIGKILL. The store is then opened directly and, for
 * every message sent so far, its copies are counted per recipient (mailboxes plus POP3
 * retention) and compared with what was sent:
 *   lost        acknowledged (SMTP 250 / APPEND OK) and in no mailbox
 *   duplicated  more than one copy for one recipient (acknowledged or not)
 *   half-stored a copy whose bytes differ from what was sent (for SMTP: after the trace
 *               fields the server prepends)
 *   partly delivered  an unacknowledged SMTP message stored for one recipient but not the
 *               other: the sender retries, and the first recipient gets it twice
 *   undeleted   a POP3 DELE acknowledged by QUIT +OK whose message is back in INBOX
 * Each problem is counted once, in the round it first shows.
 * then `letterbox verify` runs, and the server starts again. The counts are printed at the
 * end; the exit status is 1 unless every one is 0.
 */
import * as net from 'node:net';
import { randomInt } from 'node:crypto';
import { makeServeHome, addUserViaCli, type ServeHome, type ServeProcess } from '../test/e2e/serve-process.js';
import { seededRandom } from '../test/helpers/random.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

const A = 'alice@campaign.test'; // SMTP recipient 1, POP3 client (retain)
const C = 'carol@campaign.test'; // SMTP recipient 2
const B = 'bob@campaign.test'; // IMAP APPEND, MOVE, STORE
const PW = 'campaign-password-1';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const KILLS = arg('kills', 100);
const SEED = arg('seed', randomInt(2 ** 31));
const rand = seededRandom(SEED);
const int = (n: number) => Math.floor(rand() * n);

// ───────────── a small line/byte client ─────────────

class Conn {
  private buf: Buffer = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;
  private constructor(private readonly s: net.Socket) {
    s.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake?.();
    });
    s.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    s.on('error', () => undefined);
  }
  static connect(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }
  write(b: Buffer | string): void {
    if (!this.closed) this.s.write(b, () => undefined);
  }
  /** the next line (without CRLF), or null when the connection closed first */
  async line(timeoutMs = 30_000): Promise<string | null> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const l = this.buf.toString('latin1', 0, nl).replace(/\r$/, '');
        this.buf = this.buf.subarray(nl + 1);
        return l;
      }
      if (this.closed || Date.now() > end) return null;
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  /** lines until one matching `last` (inclusive); null on close */
  async until(last: RegExp): Promise<string[] | null> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) return null;
      out.push(l);
      if (last.test(l)) return out;
    }
  }
  close(): void {
    this.s.destroy();
  }
}

// ───────────── what was sent ─────────────

interface Sent {
  token: string;
  raw: Buffer;
  kind: 'smtp' | 'append';
  acked: boolean;
}
const sent = new Map<string, Sent>();
const pop3Deleted = new Set<string>();
let counter = 0;

function message(kind: string): { token: string; raw: Buffer } {
  const token = `cc-${kind}-${++counter}`;
  const big = int(10) === 0;
  const size = big ? 200_000 + int(1_300_000) : 500 + int(4000);
  const line = `${token} `.repeat(10).slice(0, 70);
  const lines = Math.max(1, Math.floor(size / 72));
  const body = Array.from({ length: lines }, (_, i) => `${i.toString(36)}${line}`).join('\r\n');
  const raw = Buffer.from(
    `From: sender@remote.test\r\nTo: ${A}\r\nSubject: ${token}\r\nMessage-ID: <${token}@remote.test>\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );
  return { token, raw };
}

// ───────────── load workers (each stops when the server dies) ─────────────

async function smtpWorker(port: number, running: () => boolean): Promise<void> {
  while (running()) {
    let c: Conn;
    try {
      c = await Conn.connect(port);
    } catch {
      return;
    }
    try {
      if (!(await c.until(/^220 /))) return;
      c.write('EHLO campaign.test\r\n');
      if (!(await c.until(/^250 /))) return;
      for (let i = 0; i < 5 && running(); i++) {
        const m = message('smtp');
        const s: Sent = { ...m, kind: 'smtp', acked: false };
        c.write(`MAIL FROM:<sender@remote.test>\r\n`);
        if (!(await c.line())?.startsWith('250')) return;
        c.write(`RCPT TO:<${A}>\r\n`);
        if (!(await c.line())?.startsWith('250')) return;
        c.write(`RCPT TO:<${C}>\r\n`);
        if (!(await c.line())?.startsWith('250')) return;
        c.write('DATA\r\n');
        if (!(await c.line())?.startsWith('354')) return;
        sent.set(m.token, s); // from here the server may store it
        c.write(m.raw);
        c.write('.\r\n');
        const reply = await c.line();
        if (reply === null) return;
        if (reply.startsWith('250')) s.acked = true;
      }
      c.write('QUIT\r\n');
    } finally {
      c.close();
    }
  }
}

async function imapLogin(port: number, user: string): Promise<Conn | null> {
  const c = await Conn.connect(port).catch(() => null);
  if (!c) return null;
  if (!(await c.line())?.startsWith('* OK')) return (c.close(), null);
  c.write(`L LOGIN ${user} "${PW}"\r\n`);
  const r = await c.until(/^L /);
  if (!r || !r[r.length - 1]!.startsWith('L OK')) return (c.close(), null);
  return c;
}

async function appendWorker(port: number, running: () => boolean): Promise<void> {
  const c = await imapLogin(port, B);
  if (!c) return;
  try {
    for (let n = 0; running(); n++) {
      const m = message('append');
      const s: Sent = { ...m, kind: 'append', acked: false };
      sent.set(m.token, s);
      c.write(Buffer.concat([Buffer.from(`A${n} APPEND ${n % 2 ? 'Work' : 'INBOX'} (\\Seen) {${m.raw.length}+}\r\n`), m.raw, Buffer.from('\r\n')]));
      const r = await c.until(new RegExp(`^A${n} `));
      if (!r) return;
      if (r[r.length - 1]!.startsWith(`A${n} OK`)) s.acked = true;
    }
  } finally {
    c.close();
  }
}

async function moverWorker(port: number, running: () => boolean): Promise<void> {
  const c = await imapLogin(port, B);
  if (!c) return;
  try {
    c.write('S SELECT INBOX\r\n');
    if (!(await c.until(/^S /))) return;
    for (let n = 0; running(); n++) {
      c.write(`Q${n} UID SEARCH ALL\r\n`);
      const r = await c.until(new RegExp(`^Q${n} `));
      if (!r) return;
      const uids = (r.find((l) => l.startsWith('* SEARCH')) ?? '').split(' ').slice(2).map(Number).filter(Boolean);
      if (uids.length > 3) {
        const pick = uids.slice(0, 1 + int(3)).join(',');
        c.write(`F${n} UID STORE ${pick} +FLAGS (\\Flagged $Moved)\r\nM${n} UID MOVE ${pick} Archive\r\n`);
        if (!(await c.until(new RegExp(`^M${n} `)))) return;
      }
      await new Promise((res) => setTimeout(res, 50 + int(200)));
    }
  } finally {
    c.close();
  }
}

async function pop3Worker(port: number, running: () => boolean): Promise<void> {
  while (running()) {
    const c = await Conn.connect(port).catch(() => null);
    if (!c) return;
    try {
      if (!(await c.line())?.startsWith('+OK')) return;
      c.write(`USER ${A}\r\nPASS ${PW}\r\n`);
      if (!(await c.line())?.startsWith('+OK')) return;
      const pass = await c.line();
      if (!pass?.startsWith('+OK')) {
        await new Promise((res) => setTimeout(res, 200)); // maildrop busy (a killed session's lock): try again
        continue;
      }
      c.write('STAT\r\n');
      const stat = await c.line();
      const count = Number(stat?.split(' ')[1] ?? 0);
      const deleted: string[] = [];
      for (let i = 1; i <= Math.min(count, 4) && running(); i++) {
        c.write(`RETR ${i}\r\n`);
        if (!(await c.line())?.startsWith('+OK')) return;
        const body = await c.until(/^\.$/);
        if (!body) return;
        const token = body.map((l) => /^Subject: (cc-\S+)/.exec(l)?.[1]).find(Boolean);
        if (token && int(2) === 0) {
          c.write(`DELE ${i}\r\n`);
          if ((await c.line())?.startsWith('+OK')) deleted.push(token);
        }
      }
      c.write('QUIT\r\n');
      if ((await c.line())?.startsWith('+OK')) for (const t of deleted) pop3Deleted.add(t);
    } finally {
      c.close();
    }
    await new Promise((res) => setTimeout(res, 100 + int(300)));
  }
}

// ───────────── the check after each kill ─────────────

interface Totals {
  ackedSmtp: number;
  ackedAppend: number;
  lost: number;
  duplicated: number;
  halfStored: number;
  partlyDelivered: number;
  undeleted: number;
  verifyFailures: number;
}

/** problems already counted (a lost message stays lost in every later round) */
const seen = new Set<string>();

async function check(home: ServeHome, totals: Totals, round: number): Promise<void> {
  const store = await openSqliteStore(home.dataDir);
  const copies = new Map<string, Map<string, number>>(); // account → token → copies
  const problems: string[] = [];
  /** counts a problem the first time it is seen */
  const found = (kind: Exclude<keyof Totals, 'ackedSmtp' | 'ackedAppend'>, text: string): void => {
    if (seen.has(text)) return;
    seen.add(text);
    totals[kind]++;
    problems.push(text);
  };
  try {
    for (const address of [A, B, C]) {
      const acct = (await store.getAccount(address))!;
      const per = new Map<string, number>();
      copies.set(address, per);
      for (const mb of await store.listMailboxes(acct.id)) {
        for (const m of await store.getMessages(acct.id, mb.id, [[1, Infinity]])) {
          const raw = await store.getRaw(acct.id, mb.id, m.uid);
          const token = /\r\nSubject: (cc-[a-z]+-\d+)\r\n/.exec(raw.toString('latin1', 0, 4096))?.[1];
          if (!token) continue;
          per.set(token, (per.get(token) ?? 0) + 1);
          const s = sent.get(token);
          const whole = s && (s.kind === 'append' ? raw.equals(s.raw) : raw.length >= s.raw.length && raw.subarray(raw.length - s.raw.length).equals(s.raw));
          if (!whole) found('halfStored', `half-stored: ${address} ${mb.name} UID ${m.uid} (${token})`);
        }
        if (mb.name === 'INBOX' && address === A)
          for (const t of pop3Deleted)
            if (per.has(t)) found('undeleted', `undeleted: ${t} is back in INBOX after an acknowledged POP3 DELE`);
      }
      for (const r of await store.listRetained(acct.id)) {
        const token = /cc-[a-z]+-\d+/.exec(r.subject ?? '')?.[0];
        if (token) per.set(token, (per.get(token) ?? 0) + 1);
      }
    }
  } finally {
    await store.close();
  }
  for (const s of sent.values()) {
    const recipients = s.kind === 'smtp' ? [A, C] : [B];
    const n = recipients.map((r) => copies.get(r)!.get(s.token) ?? 0);
    for (const [i, k] of n.entries()) {
      if (s.acked && k === 0) found('lost', `lost: ${s.token} (acknowledged) is not in ${recipients[i]}'s store`);
      if (k > 1) found('duplicated', `duplicated: ${s.token} is in ${recipients[i]}'s store ${k} times`);
    }
    if (s.kind === 'smtp' && !s.acked && (n[0]! > 0) !== (n[1]! > 0))
      found('partlyDelivered', `partly delivered: unacknowledged ${s.token} (${s.raw.length} bytes) reached one recipient but not the other`);
  }
  const v = await home.cli(['verify']);
  if (v.code !== 0) found('verifyFailures', `letterbox verify failed after round ${round}:\n${v.stdout}${v.stderr}`);
  for (const p of problems.slice(0, 10)) console.log(`  round ${round}: ${p}`);
}

// ───────────── the campaign ─────────────

async function main(): Promise<void> {
  console.log(`crash campaign: ${KILLS} kills, seed ${SEED}`);
  const home = makeServeHome(
    '[pop3]\ndelete_policy = "retain"\n[limits]\nsmtp_messages_per_ip_per_minute = 1000000\nconnections_per_ip = 1000\nmessages_per_hour_per_account = 1000000\n' +
      'failed_logins_per_ip = 1000000\nfailed_logins_per_account = 1000000\n',
  );
  const totals: Totals = { ackedSmtp: 0, ackedAppend: 0, lost: 0, duplicated: 0, halfStored: 0, partlyDelivered: 0, undeleted: 0, verifyFailures: 0 };
  const started = Date.now();
  try {
    for (const u of [A, B, C]) await addUserViaCli(home, u, PW);
    const mk = await home.cli(['user', 'list']);
    if (mk.code !== 0) throw new Error(mk.stderr);
    let srv: ServeProcess = await home.start();
    {
      const c = await imapLogin(srv.ports.imap, B);
      c!.write('C1 CREATE Work\r\n');
      await c!.until(/^C1 /);
      c!.close();
    }
    for (let round = 1; round <= KILLS; round++) {
      let alive = true;
      const running = () => alive;
      const { ports } = srv;
      const workers = [
        smtpWorker(ports.smtp, running),
        smtpWorker(ports.smtp, running),
        appendWorker(ports.imap, running),
        moverWorker(ports.imap, running),
        pop3Worker(ports.pop3, running),
      ];
      await new Promise((r) => setTimeout(r, 200 + int(2500)));
      srv.child.kill('SIGKILL');
      await srv.exited;
      alive = false;
      await Promise.all(workers.map((w) => w.catch(() => undefined)));
      await check(home, totals, round);
      if (round % 10 === 0 || round === KILLS) {
        totals.ackedSmtp = [...sent.values()].filter((s) => s.kind === 'smtp' && s.acked).length;
        totals.ackedAppend = [...sent.values()].filter((s) => s.kind === 'append' && s.acked).length;
        console.log(
          `after ${round} kills (${Math.round((Date.now() - started) / 1000)} s): ${totals.ackedSmtp} SMTP and ${totals.ackedAppend} APPEND acknowledged, ` +
            `${pop3Deleted.size} POP3 deletions; lost ${totals.lost}, duplicated ${totals.duplicated}, half-stored ${totals.halfStored}, ` +
            `partly delivered ${totals.partlyDelivered}, undeleted ${totals.undeleted}, verify failures ${totals.verifyFailures}`,
        );
      }
      if (round < KILLS) srv = await home.start();
    }
  } finally {
    await home.cleanup();
  }
  const sentSmtp = [...sent.values()].filter((s) => s.kind === 'smtp').length;
  const sentAppend = [...sent.values()].filter((s) => s.kind === 'append').length;
  console.log(
    `\nresult: ${KILLS} SIGKILLs; ${sentSmtp} SMTP messages sent (${totals.ackedSmtp} acknowledged, 2 recipients each), ` +
      `${sentAppend} APPENDs (${totals.ackedAppend} acknowledged), ${pop3Deleted.size} POP3 deletions acknowledged\n` +
      `lost ${totals.lost}, duplicated ${totals.duplicated}, half-stored ${totals.halfStored}, partly delivered ${totals.partlyDelivered}, undeleted ${totals.undeleted}, verify failures ${totals.verifyFailures}`,
  );
  process.exit(totals.lost + totals.duplicated + totals.halfStored + totals.partlyDelivered + totals.undeleted + totals.verifyFailures === 0 ? 0 : 1);
}

await main();
