/**
 * `letterbox serve --workers N`: every core of one machine. The primary process prepares
 * what must happen once (data directory, self-signed certificate, schema migration, the
 * change-feed hub for SQLite), binds every listener, forks N workers with node:cluster and
 * prints the banner; each worker runs the whole server (./server.ts) over the same store.
 * The primary accepts the connections and hands each to the worker with the fewest open
 * ones (./balancer.ts, src/net/handoff.ts).
 *
 * - Changes reach every worker: PostgreSQL through LISTEN/NOTIFY, SQLite through the change
 *   log woken by the primary's unix socket (src/store/sqlite/wakeup.ts).
 * - Shared work goes through the store: queue claims, POP3 maildrop leases (lease-types.ts).
 * - SIGTERM/SIGINT to the primary: every worker stops gracefully (sessions hear goodbye,
 *   up to --grace seconds), then the primary exits 0; a second signal exits at once.
 *   SIGHUP: every worker re-reads its certificates.
 * - A worker that dies is replaced (at most 5 times a minute); a worker whose primary is
 *   gone (kill -9) exits at once.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';
import { checkConfigFiles, ConfigError } from '../config/load.js';
import { createLogger } from '../log.js';
import { createTlsProvider } from '../net/tls.js';
import { startWakeupHub } from '../store/sqlite/wakeup.js';
import { workerConnections, type BoundListener, type ClosedConnections, type HandedConnection } from '../net/handoff.js';
import type { Socket } from 'node:net';
import { CliError, createDataDir, openStore } from './common.js';
import { out } from './io.js';
import type { StartedListener } from './server.js';

type ToPrimary = { t: 'listening'; listeners: StartedListener[] } | { t: 'failed'; message: string } | { t: 'tls'; changed: boolean; error?: string } | ClosedConnections;
type ToWorker = { t: 'stop'; graceMs: number } | { t: 'reload-tls' } | HandedConnection;
/** the primary's listeners, for its workers (environment of cluster.fork) */
const LISTENERS_ENV = 'LETTERBOX_LISTENERS';

/** --workers: a number, or "auto" (one per core); the memory store cannot be shared: 1 */
export function workerCount(option: string | undefined, config: Config): number {
  if (config.store.backend === 'memory') return 1;
  if (option === undefined || option === 'auto') return availableParallelism();
  const n = Number(option);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`--workers must be a whole number from 1 to 256, or "auto" (got ${option})`);
  return n;
}

export const isWorker = (): boolean => cluster.isWorker;

/** The primary: resolves when every worker has stopped after `signalled`. Throws when the workers cannot start. */
export async function runPrimary(
  config: Config,
  file: string | null,
  workers: number,
  signalled: Promise<NodeJS.Signals>,
  graceMs: number,
): Promise<void> {
  const problems = checkConfigFiles(config);
  if (problems.length) throw new ConfigError(file, problems);
  const firstStart = createDataDir(config);
  const log = createLogger(config);
  // once, before the workers race for them: the self-signed certificate and the schema
  try {
    (await createTlsProvider(config, log)).close();
  } catch (e) {
    throw new CliError(`TLS setup failed (tls.cert / tls.key, or the self-signed certificate in ${config.data_dir}): ${(e as Error).message}`);
  }
  const store = await openStore(config, log);
  const hub = config.store.backend === 'sqlite' ? await startWakeupHub(config.data_dir, log) : null;
  let balancer: Awaited<ReturnType<typeof import('./balancer.js').startBalancer>>;
  try {
    const { startBalancer } = await import('./balancer.js');
    balancer = await startBalancer(config, log);
  } catch (e) {
    await hub?.close();
    await store.close();
    throw e;
  }

  let stopping = false;
  const alive = new Set<Worker>();
  const restarts: number[] = [];
  let failure: ((e: Error) => void) | null = null;
  const started = new Promise<StartedListener[]>((resolve, reject) => {
    failure = reject;
    let ready = 0;
    const fork = () => {
      const w = cluster.fork({ LETTERBOX_WORKER: '1', [LISTENERS_ENV]: JSON.stringify(balancer.bound) });
      alive.add(w);
      w.on('message', (m: ToPrimary) => {
        if (m.t === 'closed') balancer.closed(w, m.n);
        else if (m.t === 'listening') {
          balancer.ready(w);
          if (++ready === workers) {
            balancer.start();
            resolve(balancer.listeners);
          }
        } else if (m.t === 'failed') reject(new CliError(m.message));
        else if (m.t === 'tls') out(`letterbox: SIGHUP: worker ${w.process.pid}: ${m.error ? `certificate reload failed: ${m.error}` : m.changed ? 'new certificates in use' : 'certificate files unchanged'}`);
      });
      w.on('exit', (code, signal) => {
        alive.delete(w);
        balancer.gone(w);
        if (stopping) return;
        const now = Date.now();
        restarts.push(now);
        while (restarts.length && restarts[0]! < now - 60_000) restarts.shift();
        log.error({ pid: w.process.pid, code, signal }, `worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
        if (restarts.length > 5) {
          log.fatal('workers keep dying (more than 5 in a minute); stopping');
          failure?.(new CliError('workers keep dying; see the log'));
          void stopAll(0).then(() => process.exit(1));
          return;
        }
        ready = Math.min(ready, workers - 1);
        fork();
      });
    };
    for (let i = 0; i < workers; i++) fork();
  });

  const send = (m: ToWorker) => {
    for (const w of alive) if (w.isConnected()) w.send(m);
  };
  async function stopAll(grace: number): Promise<void> {
    stopping = true;
    balancer.close();
    const exits = [...alive].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    send({ t: 'stop', graceMs: grace });
    const killer = setTimeout(() => {
      for (const w of alive) w.process.kill('SIGKILL');
    }, grace + 15_000);
    await Promise.all(exits);
    clearTimeout(killer);
    await hub?.close();
  }

  let listeners: StartedListener[] | null;
  try {
    listeners = await Promise.race([started, signalled.then(() => null)]);
  } catch (e) {
    await stopAll(0);
    await store.close();
    throw e;
  }
  try {
    const { banner, commandHint } = await import('./server.js');
    if (listeners) {
      await banner(config, file, listeners, store, out, firstStart, commandHint(file));
      out(`  workers        ${workers} processes (serve --workers)`);
    }
  } finally {
    await store.close();
  }
  log.info({ workers, listeners: (listeners ?? []).map((l) => `${l.name}=${l.address}:${l.port}`) }, 'letterbox started');

  const onHup = () => send({ t: 'reload-tls' });
  process.on('SIGHUP', onHup);
  const sig = await signalled;
  process.off('SIGHUP', onHup);
  out(`letterbox: ${sig} received; closing connections (up to ${graceMs / 1000} s) and the store in ${alive.size} workers`);
  await stopAll(graceMs);
  out('letterbox: stopped');
}

/** One worker: the whole server, reporting to the primary; resolves when told to stop. */
export async function runWorker(config: Config, file: string | null): Promise<void> {
  const tell = (m: ToPrimary) => process.send?.(m);
  // the primary listens and hands connections over (./balancer.ts)
  const bound = JSON.parse(process.env[LISTENERS_ENV] ?? '{}') as Record<string, BoundListener>;
  const handoff = workerConnections(bound, tell);
  process.on('message', (m: ToWorker, socket?: Socket) => {
    if (m.t === 'conn') {
      if (socket) handoff.deliver(m.listener, socket);
    }
  });
  // the primary is gone (kill -9): nobody accepts connections for us any more
  process.on('disconnect', () => process.exit(1));
  // the primary coordinates shutdown: a Ctrl-C reaching the whole process group is its to handle
  process.on('SIGINT', () => undefined);
  let server: Awaited<ReturnType<typeof import('./server.js').startServer>>;
  try {
    const { startServer } = await import('./server.js');
    server = await startServer(config, { file, worker: true, print: () => undefined, handoff });
  } catch (e) {
    tell({ t: 'failed', message: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  const done = new Promise<void>((resolve) => {
    process.on('message', (m: ToWorker) => {
      if (m.t === 'reload-tls')
        server.reloadTls().then(
          (changed) => tell({ t: 'tls', changed }),
          (e: Error) => tell({ t: 'tls', changed: false, error: e.message }),
        );
      else if (m.t === 'stop') void server.stop(m.graceMs).then(resolve);
    });
    process.once('SIGTERM', () => void server.stop().then(resolve));
  });
  tell({ t: 'listening', listeners: server.listeners });
  await done;
}
