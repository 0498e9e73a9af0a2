/**
 * `npm run bench`: letterbox side by side with Dovecot + Postfix on this machine.
 *
 *   npm run bench                     full run (100,000-message mailbox, 1/10/50 clients, 1,000, 10,000 and 50,000 IDLE)
 *   npm run bench -- --idle 1000,50000  which IDLE connection counts (above 20,000, clients spread over 127.0.0.x)
 *   npm run bench -- --quick          smaller figures (10,000 messages), a few minutes
 *   npm run bench -- --install-peers  apt-get install dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix first
 *   npm run bench -- --no-peers       letterbox only (--peers-only: the peers only)
 *   npm run bench -- --workers 1      letterbox's `serve --workers` (default "auto": one process per core, as `letterbox serve`)
 *   npm run bench -- --no-profile     no profiled rerun (no "where the time goes" summaries)
 *   npm run bench -- --profile-all    the profiled rerun covers every step, not only those with a figure behind
 *   npm run bench -- --only imap,mailboxes,mixed,pop3,smtp,sieve,clients,idle,spam,sort,scale
 *                                     (scale: SQLite and PostgreSQL, serve --workers 1 and 2: bench/scale.ts)
 *   npm run bench -- --sort-sizes 10000,100000   mailbox sizes for SORT/THREAD
 *   npm run bench -- --json out.json  where the JSON goes (default bench-results.json); the
 *                                     previous file there is the baseline regressions are flagged against
 *
 * Each target is started fresh on a temporary directory and loopback high ports, then gets
 * the same client load (bench/scenarios), one target at a time. Messages come from
 * ../shared/corpus/sample.mbox.
 *
 * letterbox runs as a new user runs it: `letterbox serve` with its default worker count
 * (`--workers auto`, one process per core; Dovecot and Postfix run several processes too)
 * and without a profiler, like the peers. Every figure in the
 * table and the JSON comes from that pass. The CPU profile summaries ("where the time
 * goes") come from a second, separate pass: a fresh letterbox under V8's sampling profiler
 * (--cpu-prof, in every worker) reruns only the steps with a figure behind the peer; its
 * figures are slower (the profiler costs CPU) and are kept apart in the JSON, never compared.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { loadCorpus } from './lib/corpus.js';
import { runScale, scalePlan } from './scale.js';
import { startLetterbox, workerProcesses } from './targets/letterbox.js';
import { installPeers, peersInstalled, startPeers } from './targets/peers.js';
import type { Target } from './targets/target.js';
import { largeMailbox, manyMailboxes, mixedLoad, idleMemory } from './scenarios/imap.js';
import { pop3Download } from './scenarios/pop3.js';
import { smtpInbound } from './scenarios/smtp.js';
import { sieveInbound } from './scenarios/sieve.js';
import { realClients } from './scenarios/clients.js';
import { processTree } from './lib/proc.js';
import { measureLoad, type MachineLoad } from './lib/load.js';
import { summarizeProfile, type ProfileSummary, type StepWindow } from './lib/profile.js';
import { merge, printTable, printRegressions, readBaseline, writeJson, type Figure } from './report.js';
import { spamClassifierCost } from './scenarios/spam.js';
import { sortThread } from './scenarios/sort.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const quick = flag('--quick');
const workersOpt = opt('--workers', 'auto');
/** `serve --workers` of the side-by-side letterbox: "auto" (one per core), as `letterbox serve` runs by default */
const workers: number | 'auto' = workersOpt === 'auto' ? 'auto' : Number(workersOpt);
if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1)) throw new Error(`--workers: a whole number or "auto" (got ${workersOpt})`);
const only = new Set(opt('--only', 'imap,mailboxes,mixed,pop3,smtp,sieve,clients,idle,spam,sort,scale').split(','));
const plan = {
  messages: Number(opt('--messages', quick ? '10000' : '100000')),
  mixedClients: quick ? [1, 10] : [1, 10, 50],
  mixedSeconds: quick ? 5 : 10,
  // 2,000 in both: the server's CPU per message comes from /proc in 10 ms ticks (one tick = 0.005 ms per message)
  pop3Messages: 2000,
  smtpMessages: quick ? 1000 : 5000,
  smtpSenders: 16,
  sieveMessages: quick ? 1000 : 3000,
  mailboxes: quick ? 300 : 1000,
  poplibMessages: quick ? 1000 : 2000,
  imaplibMessages: quick ? 400 : 1000,
  smtpSourceMessages: quick ? 2000 : 10000,
  idle: opt('--idle', quick ? '1000' : '1000,10000,50000').split(',').map(Number),
  sortSizes: opt('--sort-sizes', quick ? '10000' : '10000,100000').split(',').map(Number),
  peerIdleMax: Number(opt('--peer-idle-max', '1000')),
};

/** which step measured each figure (for the profile summaries) */
const stepOf = new Map<string, string>();

async function runAll(t: Target, msgs: Buffer[], isPeer: boolean, steps: ReadonlySet<string> = only, windows: StepWindow[] = []): Promise<Figure[]> {
  const figures: Figure[] = [];
  const step = async (name: string, fn: (mark: (phase: string) => void) => Promise<Figure[]>) => {
    if (!steps.has(name)) return;
    const t0 = Date.now();
    let from = process.hrtime.bigint();
    let window = name;
    // a scenario may start a new profile window (e.g. after building its mailbox), so the
    // profile of its figures is not buried under the build's
    const mark = (phase: string) => {
      const now = process.hrtime.bigint();
      windows.push({ step: window, from, to: now });
      window = `${name}:${phase}`;
      from = now;
    };
    process.stderr.write(`  ${t.name}: ${name} ...`);
    const load = measureLoad(() => t.rootPids().flatMap((p) => processTree(p)));
    try {
      const f = await fn(mark);
      const l: MachineLoad = load();
      for (const x of f) x.load = l;
      for (const x of f) stepOf.set(x.key, window);
      windows.push({ step: window, from, to: process.hrtime.bigint() });
      figures.push(...f);
      process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s; machine ${l.busyCores.toFixed(2)} of ${l.cores} cores busy (server ${l.serverCores.toFixed(2)}), loadavg ${l.loadavg1}\n`);
    } catch (e) {
      process.stderr.write(` failed: ${(e as Error).message}\n`);
    }
  };
  await step('imap', (mark) => largeMailbox(t, msgs, plan.messages, mark));
  await step('mailboxes', () => manyMailboxes(t, plan.mailboxes));
  await step('mixed', () => mixedLoad(t, msgs, plan.mixedClients, plan.mixedSeconds));
  await step('pop3', (mark) => pop3Download(t, msgs, plan.pop3Messages, mark));
  await step('smtp', () => smtpInbound(t, msgs, plan.smtpMessages, plan.smtpSenders));
  if (t.putSieve) await step('sieve', () => sieveInbound(t, msgs, plan.sieveMessages, plan.smtpSenders));
  await step('clients', () => realClients(t, msgs, plan));
  await step('sort', () => sortThread(t, msgs, plan.sortSizes));
  await step('idle', async () => {
    const out: Figure[] = [];
    for (const n of plan.idle) {
      if (isPeer && n > plan.peerIdleMax) continue;
      // above one process's open-file limit: clients in several processes, and a letterbox of
      // as many `serve --workers` (each worker holds its share of the connections)
      const need = n > perProcess ? Math.ceil(n / perProcess) : 1;
      const target = need > (t.processes ?? 1) ? await startLetterbox({ workers: need }) : t;
      let m: Awaited<ReturnType<typeof idleMemory>>;
      try {
        m = await idleMemory(target, n, false, perProcess);
      } finally {
        if (target !== t) await target.stop();
      }
      if (target !== t) console.error(`  letterbox: ${n} IDLE connections held by serve --workers ${need} (open-file limit ${perProcess + 2000} per process)`);
      out.push({ key: `imap.idle_rss_${n}`, label: `resident memory per IDLE connection at ${n} (RSS)`, unit: 'KB', better: 'lower', value: m.rss / 1024 });
      out.push({ key: `imap.idle_pss_${n}`, label: `memory per IDLE connection at ${n} (PSS)`, unit: 'KB', better: 'lower', value: m.pss / 1024 });
      out.push({ key: `imap.idle_held_${n}`, label: `IDLE connections held (of ${n})`, unit: 'conn', better: 'higher', value: m.held });
      out.push({ key: `imap.idle_exists_median_${n}`, label: `EXISTS seen in IDLE after an APPEND, median of ${m.exists.seen} of ${n}`, unit: 'ms', better: 'lower', value: m.exists.medianMs });
      out.push({ key: `imap.idle_exists_max_${n}`, label: `EXISTS seen in IDLE after an APPEND, slowest of ${m.exists.seen} of ${n}`, unit: 'ms', better: 'lower', value: m.exists.maxMs });
    }
    // COMPRESS=DEFLATE keeps zlib state per connection: the same figure with compression on
    const n = Math.min(plan.idle[0]!, perProcess);
    const z = await idleMemory(t, n, true);
    if (z.held > 0) out.push({ key: `imap.idle_deflate_rss_${n}`, label: `memory per IDLE connection with COMPRESS=DEFLATE at ${n} (RSS)`, unit: 'KB', better: 'lower', value: z.rss / 1024 });
    if (z.held > 0) out.push({ key: `imap.idle_deflate_pss_${n}`, label: `memory per IDLE connection with COMPRESS=DEFLATE at ${n} (PSS)`, unit: 'KB', better: 'lower', value: z.pss / 1024 });
    return out;
  });
  return figures;
}

/** IDLE connections one process may hold (its open-file limit less room for everything else) */
let perProcess = Infinity;

async function main(): Promise<void> {
  // n IDLE connections take n descriptors in the bench and n in the server (which inherits
  // this process's limit): raise it when allowed, else measure as many as the limit allows
  const want = Math.max(...plan.idle) + 2000;
  let nofile = Number(execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim());
  if (nofile < want) {
    try {
      execSync(`prlimit --pid ${process.pid} --nofile=${want}:${want}`, { stdio: 'ignore' });
      nofile = want;
    } catch {
      perProcess = nofile - 2000;
      console.error(`note: open-file limit is ${nofile} and cannot be raised here: IDLE counts above ${perProcess} are held by several client processes and letterbox's serve --workers`);
    }
  }

  const msgs = loadCorpus();
  console.error(`letterbox bench: ${msgs.length} corpus messages, plan ${JSON.stringify(plan)}`);

  let ours: Figure[] = [];
  const processes = workerProcesses(workers);
  const setup = `letterbox serve --workers ${workers}${workers === 'auto' ? ` (${processes} processes)` : ''}, no profiler`;
  if (!flag('--peers-only')) {
    const lb = await startLetterbox({ workers });
    try {
      ours = await runAll(lb, msgs, false);
    } finally {
      await lb.stop();
    }
    // letterbox's own features (no peer equivalent): each starts its own servers
    if (only.has('spam')) {
      process.stderr.write('  letterbox: spam classifier cost ...');
      const t0 = Date.now();
      ours.push(...(await spamClassifierCost(msgs, plan.smtpMessages, plan.smtpSenders)));
      process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  }

  let peer: Figure[] = [];
  let peerName: string | null = null;
  if (!flag('--no-peers')) {
    if (flag('--install-peers')) installPeers();
    const have = peersInstalled();
    if (have.dovecot && have.postfix) {
      const p = await startPeers({ maxConnections: Math.max(plan.peerIdleMax, ...plan.mixedClients) });
      peerName = p.name;
      try {
        peer = await runAll(p, msgs, true);
      } finally {
        await p.stop();
      }
    } else {
      console.error('peers not installed (dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix): letterbox figures only; --install-peers installs them');
    }
  }
  const rows = merge(ours, peer);
  if (ours.length) console.log(`letterbox: ${setup}${peerName ? `; beside ${peerName}` : ''}. Every letterbox figure below is from this unprofiled pass.`);
  printTable(rows, peerName);

  // where the time goes: a separate, profiled rerun of the steps with a figure behind (all with --profile-all)
  const stepName = (key: string) => stepOf.get(key)?.split(':')[0];
  const ran = new Set(ours.map((f) => stepName(f.key)).filter((s): s is string => s !== undefined));
  const behind = rows.filter((r) => r.ahead === false);
  const rerun = flag('--no-profile') || flag('--peers-only') ? new Set<string>() : flag('--profile-all') ? ran : new Set(behind.map((r) => stepName(r.key)).filter((s): s is string => s !== undefined && ran.has(s)));
  const profiled = rerun.size ? await profiledPass(msgs, rerun) : null;
  if (profiled) {
    console.log(`\nprofiled rerun (${[...rerun].join(', ')}): a fresh letterbox serve --workers ${workers} under --cpu-prof; its figures are not the table's`);
    for (const [s, p] of profiled.profiles) {
      const figs = behind.filter((r) => stepOf.get(r.key) === s).map((r) => r.label);
      if (!figs.length && !flag('--profile-all')) continue;
      console.log(`\nwhere letterbox's CPU went during "${s}"${figs.length ? ` (behind: ${figs.join('; ')})` : ''}, ${p.totalMs.toFixed(0)} ms sampled:`);
      for (const h of p.hot) console.log(`  ${h.ms.toFixed(0).padStart(7)} ms ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.fn}`);
    }
  }
  const out = opt('--json', 'bench-results.json');
  const baseline = readBaseline(out);
  if (baseline) printRegressions(rows, baseline, setup);
  const loadavg = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
  console.log(`load average at the end: ${loadavg}`);
  writeJson(out, {
    date: new Date().toISOString(),
    plan,
    setup,
    workers,
    processes,
    peer: peerName,
    loadavg,
    rows,
    profiles: Object.fromEntries(profiled?.profiles ?? []),
    profiledPass: profiled ? { steps: [...rerun], figures: profiled.figures } : null,
  });
  console.error(`JSON written to ${out}`);
  if (only.has('scale') && !flag('--peers-only')) await runScale(msgs, scalePlan(quick));
}

/** a fresh letterbox under the CPU profiler reruns `steps`; the samples are summed per step window */
async function profiledPass(msgs: Buffer[], steps: ReadonlySet<string>): Promise<{ profiles: Map<string, ProfileSummary>; figures: Figure[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-bench-prof-'));
  const windows: StepWindow[] = [];
  try {
    const lb = await startLetterbox({ profileDir: dir, workers, name: 'letterbox (profiled)' });
    let figures: Figure[];
    try {
      figures = await runAll(lb, msgs, false, steps, windows);
    } finally {
      await lb.stop();
    }
    return { profiles: summarizeProfile(dir, windows), figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
