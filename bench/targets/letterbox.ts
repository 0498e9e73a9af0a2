/**
 * letterbox under test: `letterbox serve` as a child process on a temporary data directory,
 * loopback high ports, plaintext allowed from loopback (TLS costs are not what is measured).
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitForPort } from '../lib/ports.js';
import type { Target } from './target.js';

const CLI = resolve('dist/src/cli/main.js');

export interface LetterboxOptions {
  /** run under Node's sampling profiler, the profile written there at exit (../lib/profile.ts) */
  profileDir?: string;
  /** appended to the configuration (a scenario's own settings) */
  extraToml?: string;
  /** `serve --workers`: a count, or "auto" = one per core (the default, as `letterbox serve` without the option runs) */
  workers?: number | 'auto';
  /** a PostgreSQL database URL: store.backend = "postgres" (default: SQLite in the temp directory) */
  postgresUrl?: string;
  /** name shown in tables (default "letterbox") */
  name?: string;
}

/** the worker processes `serve --workers` runs (as src/cli/cluster.ts's workerCount: "auto" = one per core) */
export function workerProcesses(workers: number | 'auto' = 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

export async function startLetterbox(opts: LetterboxOptions = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-bench-'));
  const store = opts.postgresUrl ? `[store]\nbackend = "postgres"\n[store.postgres]\nurl = "${opts.postgresUrl}"\n` : '';
  const [imap, pop3, smtp, http] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const conf = join(dir, 'letterbox.toml');
  writeFileSync(
    conf,
    `hostname = "bench.localhost"
data_dir = "${join(dir, 'data')}"
${store}[listeners.smtp]
address = "127.0.0.1"
port = ${smtp}
[listeners.imap]
address = "127.0.0.1"
port = ${imap}
[listeners.pop3]
address = "127.0.0.1"
port = ${pop3}
[listeners.http]
address = "127.0.0.1"
port = ${http}
[listeners.submission]
enabled = false
[listeners.submissions]
enabled = false
[listeners.imaps]
enabled = false
[listeners.pop3s]
enabled = false
[listeners.managesieve]
enabled = false
[listeners.https]
enabled = false
[auth]
plaintext_allowed_from = ["127.0.0.1", "::1", ${Array.from({ length: 8 }, (_, i) => `"127.0.0.${i + 2}"`).join(', ')}]
[limits]
connections_per_ip = 100000
connections_per_listener = 100000
smtp_messages_per_ip_per_minute = 10000000
failed_logins_per_ip = 1000000
[smtp]
verify_inbound = false
[log]
level = "warn"
${opts.extraToml ?? ''}`,
  );
  const cli = (args: string[], input?: string) =>
    execFileSync(process.execPath, [CLI, '-c', conf, ...args], { input, stdio: ['pipe', 'pipe', 'inherit'] });
  cli(['domain', 'add', 'bench.test']);
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=8192', ...(process.env.LETTERBOX_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), CLI, '-c', conf, 'serve', '--workers', String(opts.workers ?? 'auto')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(imap);
  await waitForPort(smtp);
  return {
    name: opts.name ?? 'letterbox',
    processes: workerProcesses(opts.workers),
    domain: 'bench.test',
    imapPort: imap,
    pop3Port: pop3,
    smtpPort: smtp,
    async addUsers(localParts, password) {
      for (const l of localParts) cli(['user', 'add', `${l}@bench.test`], `${password}\n`);
    },
    async putSieve(localPart, script) {
      if (script === null) cli(['sieve', 'activate', `${localPart}@bench.test`]);
      else cli(['sieve', 'put', `${localPart}@bench.test`, '-', '--name', 'bench', '--activate'], script);
    },
    rootPids: () => [child.pid!],
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
