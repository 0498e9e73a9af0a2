/**
 * IMAP figures: APPEND rate, SELECT / FETCH / SEARCH / STORE on a large mailbox, a mixed
 * load at several concurrencies, and resident memory per idle (IDLE) connection.
 * Every target gets exactly the same command stream.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { RawImap } from '../lib/imap-client.js';
import { openIdle, waitSeen, watchExists, type IdleSpec } from '../lib/idle-conns.js';
import type { FromShard, ToShard } from '../lib/idle-shard.js';
import { processTree, treeCpuSeconds, treePss, treeRss } from '../lib/proc.js';
import { cpuSplit, type CpuSplit } from '../lib/load.js';
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';

const PASSWORD = 'bench-password';

export async function session(t: Target, user: string): Promise<RawImap> {
  // a user just added may take Dovecot's passwd-file a moment to see: a few tries
  for (let attempt = 1; ; attempt++) {
    const c = await RawImap.connect(t.imapPort);
    try {
      await c.login(`${user}@${t.domain}`, PASSWORD);
      return c;
    } catch (e) {
      c.close();
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function expectOk(p: Promise<{ status: string; text: string }>, what: string): Promise<void> {
  const r = await p;
  if (r.status !== 'OK') throw new Error(`${what}: ${r.status} ${r.text}`);
}

/** appends `count` corpus messages into user's INBOX with `clients` parallel connections */
export async function appendMessages(t: Target, user: string, corpus: Buffer[], count: number, clients: number): Promise<number> {
  const conns = await Promise.all(Array.from({ length: clients }, () => session(t, user)));
  let next = 0;
  const ms = await timeMs(() =>
    Promise.all(
      conns.map(async (c) => {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          await expectOk(c.append('INBOX', corpus[i % corpus.length]!), 'APPEND');
        }
      }),
    ),
  );
  await Promise.all(conns.map((c) => c.logout()));
  return (count / ms) * 1000;
}

export async function largeMailbox(t: Target, corpus: Buffer[], n: number, mark: (phase: string) => void = () => {}): Promise<Figure[]> {
  await t.addUsers(['big'], PASSWORD);
  const figures: Figure[] = [];
  const rate = await appendMessages(t, 'big', corpus, n, 4);
  figures.push({ key: 'imap.append', label: `IMAP APPEND, 4 clients (${n} msgs)`, unit: 'msg/s', better: 'higher', value: rate });
  mark('queries');

  // the same queries once on a small mailbox first, for every target alike: "first" is then the
  // large mailbox's first read, not the JIT warm-up of a freshly started server process nor of
  // this bench's own client (which would otherwise favour whichever target is measured second).
  // Ten rounds: three left V8 still optimizing the per-row rendering during the large
  // mailbox's first FETCH (seen with --trace-opt), which then measured the compiler.
  // A server of several processes (letterbox's default `serve --workers auto`) hands each
  // connection to one of them in turn: one warm-up session per process, open at once, so the
  // measured session meets a warm process whichever it lands on.
  await t.addUsers(['warmup'], PASSWORD);
  await appendMessages(t, 'warmup', corpus, 500, 4);
  const ws = await Promise.all(Array.from({ length: Math.max(1, t.processes ?? 1) }, () => session(t, 'warmup')));
  await Promise.all(
    ws.map(async (w) => {
      await expectOk(w.cmd('SELECT INBOX'), 'SELECT');
      for (const q of ['UID FETCH 1:* (UID FLAGS)', 'FETCH 1:* (BODYSTRUCTURE ENVELOPE)', 'FETCH 1:* (BODY.PEEK[])', 'UID SEARCH SUBJECT "quarterly"', 'UID SEARCH FROM "peggy"', 'UID SEARCH BODY "deployment"']) {
        for (let i = 0; i < 10; i++) await expectOk(w.cmd(q), 'warm-up');
      }
    }),
  );
  await Promise.all(ws.map((w) => w.logout()));

  const c = await session(t, 'big');
  const sel: number[] = [];
  for (let i = 0; i < 5; i++) {
    sel.push(await timeMs(() => expectOk(c.cmd('SELECT INBOX'), 'SELECT')));
    if (i < 4) await expectOk(c.cmd('UNSELECT'), 'UNSELECT').catch(() => expectOk(c.cmd('CLOSE'), 'CLOSE'));
  }
  figures.push({ key: 'imap.select', label: `SELECT of a ${n}-message mailbox`, unit: 'ms', better: 'lower', value: median(sel) });

  const ff: number[] = [];
  for (let i = 0; i < 6; i++) ff.push(await timeMs(() => expectOk(c.cmd('UID FETCH 1:* (UID FLAGS)'), 'FETCH flags')));
  figures.push({ key: 'imap.fetch_flags_first', label: 'UID FETCH 1:* (UID FLAGS), first', unit: 'ms', better: 'lower', value: ff[0]! });
  figures.push({ key: 'imap.fetch_flags', label: 'UID FETCH 1:* (UID FLAGS), again', unit: 'ms', better: 'lower', value: median(ff.slice(1)) });
  const fs: number[] = [];
  for (let i = 0; i < 4; i++) fs.push(await timeMs(() => expectOk(c.cmd('FETCH 1:* (BODYSTRUCTURE ENVELOPE)'), 'FETCH structure')));
  figures.push({ key: 'imap.fetch_structure_first', label: 'FETCH 1:* (BODYSTRUCTURE ENVELOPE), first', unit: 'ms', better: 'lower', value: fs[0]! });
  figures.push({ key: 'imap.fetch_structure', label: 'FETCH 1:* (BODYSTRUCTURE ENVELOPE), again', unit: 'ms', better: 'lower', value: median(fs.slice(1)) });
  // wall times of a few ms move with whatever else the machine runs: the server's own CPU
  // per run (its process tree, from /proc, over 10 runs) is the figure a busy machine leaves alone
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  for (const [key, label, command] of [
    ['imap.fetch_flags_cpu', 'UID FETCH 1:* (UID FLAGS): server CPU per run', 'UID FETCH 1:* (UID FLAGS)'],
    ['imap.fetch_structure_cpu', 'FETCH 1:* (BODYSTRUCTURE ENVELOPE): server CPU per run', 'FETCH 1:* (BODYSTRUCTURE ENVELOPE)'],
  ] as const) {
    const runs = 10;
    const cpu0 = treeCpuSeconds(pids());
    for (let i = 0; i < runs; i++) await expectOk(c.cmd(command), label);
    figures.push({ key, label, unit: 'ms', better: 'lower', value: ((treeCpuSeconds(pids()) - cpu0) / runs) * 1000 });
  }

  let bytes = 0;
  const chunk = 500;
  const bodyCpu0 = treeCpuSeconds(pids());
  const bodyMs = await timeMs(async () => {
    for (let i = 1; i <= n; i += chunk) {
      const r = await c.cmd(`FETCH ${i}:${Math.min(n, i + chunk - 1)} (BODY.PEEK[])`);
      if (r.status !== 'OK') throw new Error(`FETCH bodies: ${r.text}`);
      bytes += r.bytes;
    }
  });
  figures.push({ key: 'imap.fetch_bodies', label: 'FETCH full bodies (BODY.PEEK[])', unit: 'MB/s', better: 'higher', value: bytes / 1e6 / (bodyMs / 1000) });
  figures.push({ key: 'imap.fetch_bodies_cpu', label: 'FETCH full bodies: server CPU per 100 MB', unit: 'ms', better: 'lower', value: ((treeCpuSeconds(pids()) - bodyCpu0) * 1000) / (bytes / 1e8) });

  const searches: Array<[string, string, string]> = [
    ['imap.search_header', 'SEARCH SUBJECT (header)', 'UID SEARCH SUBJECT "quarterly"'],
    ['imap.search_from', 'SEARCH FROM (header)', 'UID SEARCH FROM "peggy"'],
    ['imap.search_body', 'SEARCH BODY (text)', 'UID SEARCH BODY "deployment"'],
  ];
  for (const [key, label, command] of searches) {
    const ts: number[] = [];
    for (let i = 0; i < 3; i++) ts.push(await timeMs(() => expectOk(c.cmd(command), label)));
    figures.push({ key, label: `${label} over ${n} msgs`, unit: 'ms', better: 'lower', value: median(ts) });
  }

  const storeAll = await timeMs(() => expectOk(c.cmd('UID STORE 1:* +FLAGS.SILENT (\\Flagged)'), 'STORE all'));
  figures.push({ key: 'imap.store_all', label: `STORE 1:* +FLAGS (${n} msgs)`, unit: 'ms', better: 'lower', value: storeAll });
  const singles = Math.min(2000, n);
  const singleMs = await timeMs(async () => {
    for (let i = 1; i <= singles; i++) await expectOk(c.cmd(`STORE ${i} +FLAGS.SILENT (\\Seen)`), 'STORE one');
  });
  figures.push({ key: 'imap.store_one', label: 'STORE of one message, sequential', unit: 'op/s', better: 'higher', value: (singles / singleMs) * 1000 });
  await c.logout();
  figures.push(...(await qresyncResync(t, n)));
  return figures;
}

/**
 * RFC 7162 QRESYNC: a client that knows the mailbox up to some MODSEQ reconnects after 10
 * changes (5 flag changes, 5 expunges) made by another client; the bytes the server sends
 * for that SELECT should be proportional to the changes, not to the mailbox.
 */
async function qresyncResync(t: Target, n: number): Promise<Figure[]> {
  const a = await session(t, 'big');
  await expectOk(a.cmd('ENABLE QRESYNC'), 'ENABLE QRESYNC');
  const sel = await a.cmd('SELECT INBOX', { collect: true });
  const uidValidity = /UIDVALIDITY (\d+)/.exec(sel.lines.join(' '))?.[1];
  const modseq = /HIGHESTMODSEQ (\d+)/.exec(sel.lines.join(' '))?.[1];
  if (!uidValidity || !modseq) throw new Error('QRESYNC: no UIDVALIDITY/HIGHESTMODSEQ in SELECT');
  await a.logout();
  const b = await session(t, 'big');
  await expectOk(b.cmd('SELECT INBOX'), 'SELECT');
  const mid = Math.floor(n / 2);
  await expectOk(b.cmd(`STORE ${mid}:${mid + 4} +FLAGS.SILENT (\\Answered)`), 'STORE');
  await expectOk(b.cmd(`STORE ${mid + 10}:${mid + 14} +FLAGS.SILENT (\\Deleted)`), 'STORE');
  await expectOk(b.cmd('EXPUNGE'), 'EXPUNGE');
  await b.logout();
  const c = await session(t, 'big');
  await expectOk(c.cmd('ENABLE QRESYNC'), 'ENABLE QRESYNC');
  let bytes = 0;
  const ms = await timeMs(async () => {
    const r = await c.cmd(`SELECT INBOX (QRESYNC (${uidValidity} ${modseq}))`);
    if (r.status !== 'OK') throw new Error(`QRESYNC SELECT: ${r.text}`);
    bytes = r.bytes;
  });
  await c.logout();
  return [
    { key: 'imap.qresync_bytes', label: `QRESYNC SELECT after 10 changes in ${n} msgs, bytes sent`, unit: 'B', better: 'lower', value: bytes },
    { key: 'imap.qresync_ms', label: `QRESYNC SELECT after 10 changes in ${n} msgs`, unit: 'ms', better: 'lower', value: ms },
  ];
}

/** an account with `count` mailboxes: creating them, LIST of all, STATUS of each */
export async function manyMailboxes(t: Target, count: number): Promise<Figure[]> {
  await t.addUsers(['boxes'], PASSWORD);
  const c = await session(t, 'boxes');
  const createMs = await timeMs(async () => {
    for (let i = 0; i < count; i++) await expectOk(c.cmd(`CREATE "Projects/p${String(i).padStart(4, '0')}"`), 'CREATE');
  });
  const lists: number[] = [];
  for (let i = 0; i < 3; i++) lists.push(await timeMs(() => expectOk(c.cmd('LIST "" "*"'), 'LIST')));
  const statusMs = await timeMs(async () => {
    for (let i = 0; i < count; i++) await expectOk(c.cmd(`STATUS "Projects/p${String(i).padStart(4, '0')}" (MESSAGES UNSEEN UIDNEXT)`), 'STATUS');
  });
  await c.logout();
  return [
    { key: 'imap.boxes_create', label: `CREATE ${count} mailboxes, sequential`, unit: 'op/s', better: 'higher', value: (count / createMs) * 1000 },
    { key: 'imap.boxes_list', label: `LIST "" "*" over ${count} mailboxes`, unit: 'ms', better: 'lower', value: median(lists) },
    { key: 'imap.boxes_status', label: `STATUS of each of ${count} mailboxes, sequential`, unit: 'op/s', better: 'higher', value: (count / statusMs) * 1000 },
  ];
}

/** one client's typical loop (SELECT, header FETCH, body FETCH, STORE, SEARCH, NOOP) until `end`; returns the commands sent */
async function clientLoop(c: RawImap, perUser: number, end: number, rand: (m: number) => number): Promise<number> {
  let ops = 0;
  while (Date.now() < end) {
    await expectOk(c.cmd('SELECT INBOX'), 'SELECT');
    await expectOk(c.cmd(`FETCH ${perUser - 19}:${perUser} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])`), 'FETCH headers');
    await expectOk(c.cmd(`FETCH ${rand(perUser)} (BODY.PEEK[])`), 'FETCH body');
    await expectOk(c.cmd(`STORE ${rand(perUser)} +FLAGS (\\Seen)`), 'STORE');
    await expectOk(c.cmd('SEARCH UNSEEN'), 'SEARCH');
    await expectOk(c.cmd('NOOP'), 'NOOP');
    ops += 6;
  }
  return ops;
}

/** the load's pseudo-random message numbers (the same sequence for every target) */
function seeded(seed: number): (m: number) => number {
  let rnd = seed;
  return (m) => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (rnd % m);
  };
}

/** untimed seconds of the loop on an account of its own, before the measured clients start */
const MIXED_WARMUP_S = 2;

/**
 * C clients, each on its own account, running a typical client loop for `seconds`.
 * First, untimed, as many clients as the largest count run the same loop for
 * MIXED_WARMUP_S on one warm-up account (so the measured mailboxes start as they would
 * without it): a fresh server process spends its first seconds compiling these paths (V8's
 * optimizing compiler threads took about a third of the server's CPU in a 5 s window at
 * `serve --workers 2`, each process compiling the same code), and several processes pay that
 * once each; the warm-up connections are spread over every process, as the measured ones are.
 */
export async function mixedLoad(t: Target, corpus: Buffer[], clientCounts: number[], seconds: number): Promise<Figure[]> {
  const maxC = Math.max(...clientCounts);
  const users = Array.from({ length: maxC }, (_, i) => `mix${i + 1}`);
  await t.addUsers([...users, 'mixwarm'], PASSWORD);
  const perUser = 200;
  for (let i = 0; i < users.length; i += 10) {
    await Promise.all(users.slice(i, i + 10).map((u) => appendMessages(t, u, corpus, perUser, 1)));
  }
  await appendMessages(t, 'mixwarm', corpus, perUser, 1);
  const warm = await Promise.all(Array.from({ length: maxC }, () => session(t, 'mixwarm')));
  const warmEnd = Date.now() + MIXED_WARMUP_S * 1000;
  const warmRand = seeded(54321);
  await Promise.all(warm.map((c) => clientLoop(c, perUser, warmEnd, warmRand)));
  await Promise.all(warm.map((c) => c.logout()));
  const figures: Figure[] = [];
  for (const count of clientCounts) {
    const conns = await Promise.all(users.slice(0, count).map((u) => session(t, u)));
    const cpu = cpuSplit(() => t.rootPids().flatMap((p) => processTree(p)));
    const end = Date.now() + seconds * 1000;
    const rand = seeded(12345);
    const ops = (await Promise.all(conns.map((c) => clientLoop(c, perUser, end, rand)))).reduce((a, b) => a + b, 0);
    const used = cpu();
    await Promise.all(conns.map((c) => c.logout()));
    figures.push({ key: `imap.mixed_${count}`, label: `mixed IMAP load, ${count} client(s)`, unit: 'cmd/s', better: 'higher', value: ops / seconds });
    figures.push(...cpuFigures(`imap.mixed_${count}`, `mixed IMAP, ${count} client(s)`, 'command', ops, used));
  }
  return figures;
}

/** Connections opened here or, with shards, in child processes (../lib/idle-shard.ts) */
interface IdleHolder {
  held: number;
  failed: number;
  /** EXISTS times are recorded from now on */
  watch(): Promise<void>;
  /** wall-clock ms of each EXISTS seen, waiting until all or the deadline */
  collect(deadline: number): Promise<number[]>;
  close(): Promise<void>;
}

async function holdHere(spec: IdleSpec, n: number): Promise<IdleHolder> {
  const { conns, failed } = await openIdle(spec, 0, n);
  const live = () => conns.filter((c) => !c.closed);
  const seenAt: number[] = [];
  return {
    held: live().length,
    failed,
    watch: async () => watchExists(live(), seenAt),
    collect: async (deadline) => {
      await waitSeen(seenAt, live().length, deadline);
      return seenAt;
    },
    close: async () => {
      for (const c of conns) c.close();
    },
  };
}

/** n connections over ceil(n / perShard) child processes, each within its open-file limit */
async function holdInShards(spec: IdleSpec, n: number, perShard: number): Promise<IdleHolder> {
  const shards = Array.from({ length: Math.ceil(n / perShard) }, () => fork(resolve('dist/bench/lib/idle-shard.js'), { stdio: 'ignore' }));
  const ask = <T extends FromShard['t']>(c: ChildProcess, m: ToShard, want: T) =>
    new Promise<Extract<FromShard, { t: T }>>((res, rej) => {
      const onMsg = (r: FromShard) => {
        if (r.t !== want) return;
        c.off('message', onMsg);
        c.off('exit', onExit);
        res(r as Extract<FromShard, { t: T }>);
      };
      const onExit = () => rej(new Error(`IDLE shard ${c.pid} exited`));
      c.on('message', onMsg);
      c.once('exit', onExit);
      c.send(m);
    });
  // one shard after the other: each opens its share while the server's workers accept
  let held = 0;
  let failed = 0;
  for (let i = 0; i < shards.length; i++) {
    const r = await ask(shards[i]!, { t: 'open', spec, from: i * perShard, count: Math.min(perShard, n - i * perShard) }, 'opened');
    held += r.held;
    failed += r.failed;
  }
  return {
    held,
    failed,
    watch: async () => {
      await Promise.all(shards.map((c) => ask(c, { t: 'watch' }, 'watching')));
    },
    collect: async (deadline) => (await Promise.all(shards.map((c) => ask(c, { t: 'collect', deadline }, 'seen')))).flatMap((r) => r.times),
    close: async () => {
      await Promise.all(
        shards.map((c) => new Promise<void>((res) => {
          if (c.exitCode !== null) return res();
          c.once('exit', () => res());
          c.send({ t: 'close' } satisfies ToShard);
        })),
      );
    },
  };
}

/**
 * With every connection in IDLE, one message is appended from another connection: how
 * long until the connections see "* n EXISTS" (median and slowest of those that do, within 30 s).
 */
async function existsLatency(t: Target, h: IdleHolder): Promise<{ medianMs: number; maxMs: number; seen: number }> {
  await h.watch();
  const writer = await session(t, 'idle');
  const t0 = performance.timeOrigin + performance.now();
  await expectOk(writer.append('INBOX', Buffer.from('From: a@b.example\r\nSubject: wake\r\n\r\nwake up\r\n')), 'APPEND');
  const seenAt = await h.collect(Date.now() + 30_000);
  await writer.logout();
  const sorted = seenAt.map((x) => x - t0).sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN, maxMs: sorted[sorted.length - 1] ?? NaN, seen: sorted.length };
}

/**
 * Opens n connections that LOGIN, (with `compress`, COMPRESS DEFLATE: RFC 4978,) SELECT INBOX and IDLE; returns the growth of the server's
 * memory divided by n. A warm-up round of connections is opened and closed first, so that
 * one-time allocations (code, caches, the login path) are not charged to the connections.
 * `perProcess`: the most connections one client process holds (its open-file limit); above
 * it the connections are held by child processes.
 */
export async function idleMemory(
  t: Target,
  n: number,
  compress = false,
  perProcess = Infinity,
): Promise<{ rss: number; pss: number; held: number; exists: { medianMs: number; maxMs: number; seen: number } }> {
  await t.addUsers(['idle'], PASSWORD).catch(() => {});
  const spec: IdleSpec = { port: t.imapPort, user: `idle@${t.domain}`, password: PASSWORD, compress, total: n };
  const warm = await openIdle({ ...spec, total: Math.min(200, n) }, 0, Math.min(200, n));
  for (const c of warm.conns) c.close();
  await new Promise((r) => setTimeout(r, 3000));
  const pids0 = t.rootPids().flatMap((p) => processTree(p));
  const rss0 = treeRss(pids0);
  const pss0 = treePss(pids0);
  const h = n > perProcess ? await holdInShards(spec, n, perProcess) : await holdHere(spec, n);
  await new Promise((r) => setTimeout(r, 3000));
  const pids = t.rootPids().flatMap((p) => processTree(p));
  const rss = (treeRss(pids) - rss0) / Math.max(1, h.held);
  const pss = (treePss(pids) - pss0) / Math.max(1, h.held);
  const exists = await existsLatency(t, h);
  await h.close();
  await new Promise((r) => setTimeout(r, 1000));
  if (h.failed) console.error(`  ${t.name}: ${h.failed} of ${n} idle connections failed to open`);
  return { rss, pss, held: h.held, exists };
}

/**
 * The CPU behind a rate: the server's CPU per operation (comparable whatever limited the
 * rate) and how many cores the bench's own clients used (near 1: the load generator, one
 * JS thread, was the limit)
 */
export function cpuFigures(key: string, label: string, op: string, ops: number, used: CpuSplit): Figure[] {
  return [
    { key: `${key}_server_cpu`, label: `${label}: server CPU per ${op}`, unit: 'ms', better: 'lower', value: ops ? (used.server / ops) * 1000 : 0 },
    { key: `${key}_client_cores`, label: `${label}: cores used by the bench's clients`, unit: 'cores', better: 'lower', value: used.client / used.seconds },
  ];
}
