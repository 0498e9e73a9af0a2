/**
 * The clients people actually run, not the bench's own: Python's imaplib appending with
 * synchronizing literals (literal and closing CRLF in two writes, Nagle on: the pattern
 * that exposes a server's delayed ACK), Python's poplib downloading a maildrop (one RETR at
 * a time, each answer read line by line: a round trip per message, nothing pipelined), and
 * Postfix's smtp-source sending one message per connection, as MTAs deliver. Each is
 * skipped when the tool is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processTree, serverCpuWindow, treeCpuSeconds } from '../lib/proc.js';
import { SMTP_WARM_UP, sendingLoad, untilDelivered } from './smtp.js';
import { appendMessages } from './imap.js';
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';

const PASSWORD = 'bench-password';
const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** APPENDs by one imaplib connection before the clock starts (see imaplibAppend) */
const WARM_UP_APPENDS = 400;

/** imaplib, one process per connection; prints the seconds its appends took */
const IMAPLIB = `
import imaplib, sys, time
port, user, pw, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
msgs = [m for m in sys.stdin.buffer.read().split(b"\\0LBSPLIT\\0") if m]
# a user just added may take Dovecot's passwd-file a moment to see: a few tries (as session() in ./imap.ts)
for attempt in range(4):
    c = imaplib.IMAP4("127.0.0.1", port)
    try:
        c.login(user, pw)
        break
    except imaplib.IMAP4.error:
        c.shutdown()
        if attempt == 3:
            raise
        time.sleep(1)
t = time.monotonic()
for i in range(count):
    typ, _ = c.append("INBOX", None, None, msgs[i % len(msgs)])
    if typ != "OK":
        sys.exit("APPEND failed")
print(time.monotonic() - t)
c.logout()
`;

/** poplib, one connection: RETR 1..n one at a time; prints the seconds and its own CPU seconds */
const POPLIB = `
import poplib, sys, time
port, user, pw, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
for attempt in range(4):
    c = poplib.POP3("127.0.0.1", port)
    try:
        c.user(user)
        c.pass_(pw)
        break
    except poplib.error_proto:
        c.quit()
        if attempt == 3:
            raise
        time.sleep(1)
n = c.stat()[0]
if n != count:
    sys.exit("STAT says %d messages, expected %d" % (n, count))
t, cpu = time.monotonic(), time.process_time()
for i in range(1, count + 1):
    c.retr(i)
print(time.monotonic() - t, time.process_time() - cpu)
c.quit()
`;

function python(): string | null {
  const r = spawnSync('python3', ['-c', 'import imaplib'], { stdio: 'ignore' });
  return r.status === 0 ? 'python3' : null;
}

function runImaplib(port: number, user: string, count: number, corpus: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', IMAPLIB, String(port), user, PASSWORD, String(count)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`imaplib exited ${code}: ${err.slice(-300)}`))));
    const sep = Buffer.from('\0LBSPLIT\0');
    p.stdin.end(Buffer.concat(corpus.slice(0, 100).flatMap((m) => [m, sep])));
  });
}

/** poplib downloads a maildrop of `count` messages: rate, server CPU per message, the client's own cores */
async function poplibRetr(t: Target, corpus: Buffer[], count: number): Promise<Figure[]> {
  const user = 'poplib';
  await t.addUsers([user], PASSWORD);
  await appendMessages(t, user, corpus, count, 4);
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  const cpu0 = treeCpuSeconds(pids());
  const [s, clientCpu] = await new Promise<number[]>((resolve, reject) => {
    const p = spawn('python3', ['-c', POPLIB, String(t.pop3Port), `${user}@${t.domain}`, PASSWORD, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(out.trim().split(' ').map(Number)) : reject(new Error(`poplib exited ${code}: ${err.slice(-300)}`))));
  });
  const cpu = treeCpuSeconds(pids()) - cpu0;
  return [
    { key: 'clients.poplib_retr', label: `poplib RETR, one at a time (${count} messages)`, unit: 'msg/s', better: 'higher', value: count / s! },
    { key: 'clients.poplib_retr_cpu', label: 'poplib RETR: server CPU per message', unit: 'ms', better: 'lower', value: (cpu / count) * 1000 },
    { key: 'clients.poplib_retr_client', label: 'poplib RETR: cores used by poplib', unit: 'cores', better: 'lower', value: clientCpu! / s! },
  ];
}

/** messages/s appended by `clients` imaplib connections, `perClient` messages each, and the server's CPU ms per message */
async function imaplibAppend(t: Target, corpus: Buffer[], clients: number, perClient: number): Promise<{ rate: number; cpuMs: number }> {
  const user = `imaplib${clients}`;
  await t.addUsers([user], PASSWORD);
  // one login first, outside the clock: the password check (argon2id, ~60 ms of CPU) is then
  // in both servers' auth cache, and the CPU per message is the APPENDs'; with WARM_UP_APPENDS
  // appends on every target alike, so a fresh process's JIT warm-up is not what is timed (a new
  // letterbox process's first 400 APPENDs cost about 1.6 times the CPU of later ones). One
  // warm-up connection per server process, at once: `serve --workers` hands connections to its
  // workers in turn, and a single one warmed one worker while the measured connection met the
  // other (as pop3Parallel's warm-up)
  await Promise.all(Array.from({ length: Math.max(1, t.processes ?? 1) }, () => runImaplib(t.imapPort, `${user}@${t.domain}`, WARM_UP_APPENDS, corpus)));
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  const cpu0 = treeCpuSeconds(pids());
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, () => runImaplib(t.imapPort, `${user}@${t.domain}`, perClient, corpus)));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = treeCpuSeconds(pids()) - cpu0;
  return { rate: (clients * perClient) / s, cpuMs: (cpu / (clients * perClient)) * 1000 };
}

export async function realClients(t: Target, corpus: Buffer[], plan: { imaplibMessages: number; smtpSourceMessages: number; poplibMessages: number }): Promise<Figure[]> {
  const out: Figure[] = [];
  if (python()) {
    for (const clients of [1, 4]) {
      const per = Math.max(1, Math.round(plan.imaplibMessages / clients));
      const { rate, cpuMs } = await imaplibAppend(t, corpus, clients, per);
      out.push({ key: `clients.imaplib_append_${clients}`, label: `imaplib APPEND, synchronizing literal, ${clients} conn`, unit: 'msg/s', better: 'higher', value: rate });
      out.push({ key: `clients.imaplib_append_${clients}_cpu`, label: `imaplib APPEND, ${clients} conn: server CPU per message`, unit: 'ms', better: 'lower', value: cpuMs });
    }
    out.push(...(await poplibRetr(t, corpus, plan.poplibMessages)));
  }
  if (existsSync(SMTP_SOURCE)) out.push(...(await smtpSource(t, plan.smtpSourceMessages, 20)));
  return out;
}

/** one smtp-source run: `total` messages from `sessions` parallel senders to `user` */
function runSmtpSource(t: Target, user: string, total: number, sessions: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const p = spawn(SMTP_SOURCE, ['-s', String(sessions), '-m', String(total), '-l', '5120', '-f', 'sender@remote.example', '-t', `${user}@${t.domain}`, `127.0.0.1:${t.smtpPort}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`smtp-source exited ${code}: ${err.slice(-300)}`))));
  });
}

/**
 * smtp-source: `sessions` parallel senders, one 5 KB message per connection, to one
 * mailbox; the clock runs until every message is visible in INBOX over IMAP. A warm-up run
 * of min(total, SMTP_WARM_UP) messages, delivered before the clock starts, makes the figure
 * the server's steady one (./smtp.ts smtpInbound says why).
 */
async function smtpSource(t: Target, total: number, sessions: number): Promise<Figure[]> {
  const user = 'smtpsource';
  await t.addUsers([user], PASSWORD);
  const warm = Math.min(total, SMTP_WARM_UP);
  await runSmtpSource(t, user, warm, sessions);
  await untilDelivered(t, [user], warm, 'smtp-source warm-up');
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  const cpu0 = treeCpuSeconds(pids());
  const t0 = process.hrtime.bigint();
  const sending = serverCpuWindow(pids);
  await runSmtpSource(t, user, total, sessions);
  const acceptedS = Number(process.hrtime.bigint() - t0) / 1e9;
  const busy = sending();
  await untilDelivered(t, [user], warm + total, 'smtp-source', 100);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = treeCpuSeconds(pids()) - cpu0;
  return [
    { key: 'clients.smtp_source_rate', label: `smtp-source, ${sessions} sessions, 1 msg/connection, until in INBOX (${total} × 5 KB)`, unit: 'msg/s', better: 'higher', value: total / s },
    { key: 'clients.smtp_source_accept', label: 'smtp-source, until the last 250', unit: 'msg/s', better: 'higher', value: total / acceptedS },
    { key: 'clients.smtp_source_cpu', label: 'smtp-source: server CPU per message', unit: 'ms', better: 'lower', value: (cpu / total) * 1000 },
    ...sendingLoad('smtp-source', 'clients.smtp_source', busy),
  ];
}
