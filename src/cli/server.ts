/**
 * What `letterbox serve` runs (./serve.ts is the command): wires everything into one process — configuration, data directory,
 * store, TLS, authentication, every enabled listener (SMTP, submission, IMAP, POP3, HTTP),
 * the outbound queue and the hourly purge of expired POP3-retained messages.
 *
 * Shutdown (SIGTERM/SIGINT): the shutdown signal is aborted so sessions say goodbye
 * (IMAP BYE, POP3 -ERR, SMTP 421), listeners stop accepting and get `graceMs` to drain,
 * the queue runner stops, the store flushes and closes; exit code 0. A second signal
 * exits at once with code 1.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { checkConfigFiles, ConfigError, DEFAULT_CONFIG_FILE } from '../config/load.js';
import { configWarnings } from '../config/warnings.js';
import type { ServerContext } from '../context.js';
import { createLogger } from '../log.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { createTlsProvider } from '../net/tls.js';
import { listen } from '../net/listener.js';
import { createSessionRegistry } from '../net/sessions.js';
import type { Store } from '../store/types.js';
import type { ConnectionSource } from '../net/handoff.js';
import { CliError, createDataDir, openStore } from './common.js';
import { startWakeupHub } from '../store/sqlite/wakeup.js';
import { out } from './io.js';
import { TLS_LABEL } from './config.js';
import { PROTOCOLS, type Protocols } from './protocols.js';
import { BayesClassifier } from '../spam/bayes/classifier.js';
import { withJunkLearning } from '../spam/bayes/learn.js';
import { createMetrics } from '../metrics/registry.js';
import type { WebServices } from '../web/kit/types.js';
import { storeBytesOnDisk } from '../web/pages/admin/status.js';
import { backupIntoDataDir } from './backup.js';
import { createAcmeManager, type AcmeManager } from '../net/acme.js';

export type ListenerName = keyof Config['listeners'];
/** the listeners in the order they start and the banner lists them */
export const LISTENER_ORDER: ListenerName[] = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https'];
const PURGE_EVERY_MS = 3600_000;

export interface StartedListener {
  name: ListenerName;
  address: string;
  port: number;
  tls: Config['listeners']['imap']['tls'];
}

export interface RunningServer {
  ctx: ServerContext;
  listeners: StartedListener[];
  /** re-reads changed certificate files (SIGHUP); true when new certificates are in use */
  reloadTls(): Promise<boolean>;
  /** certificates from ACME (tls.acme), null when not enabled */
  acme: AcmeManager | null;
  /** graceful stop; safe to call twice */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** configuration file used (for messages), null = defaults */
  file?: string | null;
  log?: Logger;
  /** where the banner goes (default: standard output) */
  print?: (line: string) => void;
  /** how the operator runs admin commands, for the first-start hint (default: derived) */
  commandHint?: string;
  /** protocol entry points (default: the real modules) */
  protocols?: Partial<Protocols>;
  /**
   * one worker of `serve --workers N` (./cluster.ts): no banner (the primary prints it) and
   * no change-feed hub (the primary runs it)
   */
  worker?: boolean;
  /** the worker's listeners take their connections from the primary (src/net/handoff.ts) instead of listening */
  handoff?: ConnectionSource;
}

interface Closable {
  close(graceMs?: number): Promise<void>;
}

/** Turns a failure to listen into an operator message naming the listener, address and remedy. */
export function listenErrorMessage(name: string, address: string, port: number, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException)?.code ?? /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|EPERM)\b/.exec(msg)?.[1];
  const where = `listeners.${name} (${formatAddress(address, port)})`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen for ${where}: the port is already in use — stop the other server on port ${port} (see: ss -ltnp 'sport = :${port}'), or set another port in listeners.${name}.port, or disable it with listeners.${name}.enabled = false`;
    case 'EACCES':
    case 'EPERM':
      return port < 1024
        ? `cannot listen for ${where}: permission denied — ports below 1024 need privileges: run as root, grant the capability (sudo setcap 'cap_net_bind_service=+ep' ${process.execPath}), or use the quick-start ports 2525/2587/2465/2143/2993/2110/2995/8080/8443 (the defaults when listeners.*.port is not set)`
        : `cannot listen for ${where}: permission denied (${msg})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen for ${where}: address ${address} is not assigned to this machine — set listeners.${name}.address to one of its addresses, or 0.0.0.0 for all`;
    default:
      return `cannot listen for ${where}: ${msg}`;
  }
}

export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Starts every enabled listener over one store. Throws CliError/ConfigError with operator messages. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const file = opts.file ?? null;
  const print = opts.print ?? out;
  const problems = checkConfigFiles(config);
  if (problems.length) throw new ConfigError(file, problems);

  const firstStart = createDataDir(config);
  const log = opts.log ?? createLogger(config);
  for (const w of configWarnings(config)) log.warn(`configuration: ${w}`);
  const protocols = opts.protocols ?? PROTOCOLS;
  // processes sharing the SQLite file wake each other through this socket (src/store/sqlite/wakeup.ts)
  const hub = !opts.worker && config.store.backend === 'sqlite' ? await startWakeupHub(config.data_dir, log) : null;
  let store: Store;
  try {
    store = await openStore(config, log);
  } catch (e) {
    await hub?.close();
    throw e;
  }
  for (const d of Object.keys(config.dmarc.domains)) {
    if (!(await store.getDomain(d))) log.warn(`configuration: dmarc.domains."${d}": not a domain served here, so its trusted_forwarders apply to no mail (add the domain, or correct the name)`);
  }
  const started: Array<{ info: StartedListener; handle: Closable }> = [];
  let queue: { stop(): Promise<void> } | null = null;
  let purgeTimer: NodeJS.Timeout | null = null;
  let tls: Awaited<ReturnType<typeof createTlsProvider>> | null = null;
  let acme: AcmeManager | null = null;
  const abort = new AbortController();
  // every open session listens for shutdown: no listener limit on this signal
  setMaxListeners(0, abort.signal);
  let stopping: Promise<void> | undefined;

  const stop = (graceMs = 10_000) =>
    (stopping ??= (async () => {
      abort.abort();
      if (purgeTimer) clearInterval(purgeTimer);
      tls?.close();
      acme?.stop();
      await Promise.allSettled(started.map((s) => s.handle.close(graceMs)));
      if (queue) await queue.stop().catch((e: Error) => log.error({ err: e.message }, `stopping the outbound queue failed: ${e.message}`));
      await store.close();
      await hub?.close();
      log.info('letterbox stopped');
    })());

  try {
    try {
      tls = await createTlsProvider(config, log);
    } catch (e) {
      throw new CliError(`TLS setup failed (tls.cert / tls.key, or the self-signed certificate in ${config.data_dir}): ${(e as Error).message}`);
    }
    const metrics = createMetrics({ storeBytes: async () => storeBytesOnDisk(config), queueDepth: async () => (await store.listQueue()).length });
    const auth = createAuthenticator(store, config, log, { metrics });
    const sessions = createSessionRegistry(store, log);
    // the classifier learns from moves into and out of Junk (src/spam/bayes/learn.ts)
    const bayes = new BayesClassifier(store, config.spam.bayes);
    const ctx: ServerContext = { config, store: withJunkLearning(store, bayes, log), auth, tls, log, shutdown: abort.signal, sessions, bayes, metrics, handoff: opts.handoff };
    const services: WebServices = {
      metrics,
      startedAt: new Date(),
      listeners: () => started.map((s) => ({ ...s.info })),
      backup: () => backupIntoDataDir(config),
      certificate: () => provider.info(),
    };
    const provider = tls;
    if (config.tls.acme.enabled) {
      const manager = createAcmeManager(config, store, log, (pem) => provider.useCertificate(pem, 'ACME (tls.acme)'));
      acme = manager;
      services.acmeChallenge = (token) => manager.challenge(token);
      // a domain added in the admin console gets its autoconfig./mta-sts. names at once
      services.domainsChanged = () => void manager.check();
    }

    for (const name of LISTENER_ORDER) {
      const l = config.listeners[name];
      if (!l.enabled) continue;
      let handle: (Closable & { port: number; address?: string }) | null;
      try {
        handle = await startListener(name, l, ctx, protocols, services);
      } catch (e) {
        throw new CliError(listenErrorMessage(name, l.address, l.port, e));
      }
      if (!handle) {
        log.warn(`listeners.${name}: this protocol is not available in this build; not started`);
        continue;
      }
      started.push({ info: { name, address: handle.address ?? l.address, port: handle.port, tls: l.tls }, handle });
    }

    if (protocols.startQueueRunner) queue = protocols.startQueueRunner(ctx);
    const purge = () =>
      Promise.all([
        store.purgeRetained(new Date()).then(
          (n) => n && log.info({ purged: n }, `purged ${n} POP3-retained message(s) past pop3.retention_days`),
          (e: Error) => log.error({ err: e.message }, `purging POP3-retained messages failed: ${e.message}`),
        ),
        store.kvPurgeExpired(new Date()).catch((e: Error) => log.error({ err: e.message }, `purging expired keyed state failed: ${e.message}`)),
      ]);
    // the http listener is up now: the CA can fetch the challenge answers
    if (acme) void acme.check();
    void purge();
    purgeTimer = setInterval(purge, PURGE_EVERY_MS);
    purgeTimer.unref();

    const listeners = started.map((s) => s.info);
    if (!opts.worker) await banner(config, file, listeners, store, print, firstStart, opts.commandHint ?? commandHint(file));
    log.info({ listeners: listeners.map((l) => `${l.name}=${formatAddress(l.address, l.port)}`) }, 'letterbox started');
    return { ctx, listeners, stop, reloadTls: () => provider.reload(), acme };
  } catch (e) {
    await stop(0).catch(() => undefined);
    throw e;
  }
}

async function startListener(
  name: ListenerName,
  l: Config['listeners']['imap'],
  ctx: ServerContext,
  p: Partial<Protocols>,
  services: WebServices,
): Promise<(Closable & { port: number; address?: string }) | null> {
  switch (name) {
    case 'smtp':
    case 'submission':
    case 'submissions':
      return p.startSmtp ? p.startSmtp(ctx, name, l) : null;
    case 'http':
    case 'https':
      return p.startHttp ? p.startHttp(ctx, l, { services, name }) : null;
    case 'imap':
    case 'imaps': {
      const h = p.handleImapConnection;
      if (!h) return null;
      // RFC 9051 §7.1.5 BYE; RFC 5530 §3 UNAVAILABLE
      return listenTcp(name, l, ctx, (s, i) => h(s, i, ctx), (s, why) => s.end(`* BYE [UNAVAILABLE] ${why}\r\n`));
    }
    case 'pop3':
    case 'pop3s': {
      const h = p.handlePop3Connection;
      if (!h) return null;
      // RFC 2449 §8.1.2 / RFC 3206 §4 SYS/TEMP
      return listenTcp(name, l, ctx, (s, i) => h(s, i, ctx), (s, why) => s.end(`-ERR [SYS/TEMP] ${why}\r\n`));
    }
    case 'managesieve': {
      const h = p.handleManageSieveConnection;
      if (!h) return null;
      // RFC 5804 §1.3 BYE (TRYLATER)
      return listenTcp(name, l, ctx, (s, i) => h(s, i, ctx), (s, why) => s.end(`BYE (TRYLATER) "${why.replace(/["\\]/g, '')}"\r\n`));
    }
  }
}

function listenTcp(
  name: string,
  l: Config['listeners']['imap'],
  ctx: ServerContext,
  handler: (s: net.Socket, i: import('../net/types.js').ConnectionInfo) => void,
  onReject: (s: net.Socket, reason: string) => void,
) {
  return listen(
    {
      name,
      address: l.address,
      port: l.port,
      tls: l.tls,
      maxConnectionsPerIp: ctx.config.limits.connections_per_ip,
      maxConnections: ctx.config.limits.connections_per_listener,
      ipv6PrefixLength: ctx.config.limits.ipv6_prefix_length,
      onReject,
      source: ctx.handoff,
    },
    ctx.tls,
    handler,
    ctx.log,
  );
}

/** How the operator should invoke admin commands from here (with -c unless the file is ./letterbox.toml). */
export function commandHint(file: string | null): string {
  const base = existsSync('bin/letterbox') ? './bin/letterbox' : 'letterbox';
  return file && file !== resolve(DEFAULT_CONFIG_FILE) ? `${base} -c ${file}` : base;
}

export async function banner(
  config: Config,
  file: string | null,
  listeners: StartedListener[],
  store: Store,
  print: (line: string) => void,
  firstStart: boolean,
  cmd: string,
): Promise<void> {
  print(`letterbox serving mail as ${config.hostname}`);
  print(`  configuration  ${file ?? 'built-in defaults (quick start; no letterbox.toml here)'}`);
  print(`  data           ${config.data_dir}${firstStart ? ' (created)' : ''}`);
  print(`  certificate    ${config.tls.cert ?? `self-signed for ${config.hostname} (in the data directory)`}`);
  for (const l of listeners) print(`  ${l.name.padEnd(13)}  ${formatAddress(l.address, l.port).padEnd(21)}  ${TLS_LABEL[l.tls]}`);
  if ((await store.listDomains()).length === 0) {
    print('');
    print('No mail domain yet. While the server runs, in another terminal:');
    print(`  ${cmd} domain add example.com`);
    print(`  ${cmd} user add alice@example.com     (asks for the password; or pipe it on standard input)`);
    print('then connect a mail client to this host with the user name alice@example.com.');
  }
}
