/**
 * Test scaffolding shared by protocol and interop tests: a ServerContext on the in-memory
 * store (or SQLite in a temp dir), a self-signed certificate, and a real listener on a
 * loopback port picked by the OS. Everything started here is stopped by `close()`.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Config, type TlsMode } from '../../src/config/schema.js';
import type { ServerContext } from '../../src/context.js';
import type { ConnectionHandler, RunningListener } from '../../src/net/types.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { createTestDatabase } from './pg-cluster.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createTlsProvider, makeSelfSigned, type PemPair } from '../../src/net/tls.js';
import { listen } from '../../src/net/listener.js';
import { createSessionRegistry } from '../../src/net/sessions.js';
import { createLogger } from '../../src/log.js';
import type { Account, Store } from '../../src/store/types.js';
import type { Summarizer } from '../../src/store/summary-types.js';
import { fetchSummarizer } from '../../src/imap/commands/fetch-summary.js';

export interface TestContext {
  ctx: ServerContext;
  dataDir: string;
  /** creates domain (if needed) and account with this password */
  addUser(address: string, password: string): Promise<Account>;
  /** starts a listener on 127.0.0.1 with a free port */
  listen(name: string, tls: TlsMode, handler: ConnectionHandler): Promise<RunningListener>;
  close(): Promise<void>;
}

const TEST_HOSTNAME = 'mail.example.test';
let testCertificate: Promise<PemPair> | null = null;

/**
 * Making a self-signed certificate takes a second or more; a test process makes one and
 * every context reuses it (placed where the TLS provider keeps its own, <data_dir>/tls/).
 */
function placeTestCertificate(dataDir: string): Promise<void> {
  testCertificate ??= makeSelfSigned(TEST_HOSTNAME);
  return testCertificate.then((pem) => {
    mkdirSync(join(dataDir, 'tls'), { recursive: true });
    writeFileSync(join(dataDir, 'tls', 'cert.pem'), pem.cert);
    writeFileSync(join(dataDir, 'tls', 'key.pem'), pem.key, { mode: 0o600 });
  });
}

export type TestBackend = 'memory' | 'sqlite' | 'postgres';

/**
 * The backend of contexts that do not ask for one: LETTERBOX_TEST_BACKEND (scripts/run-tests.mjs
 * runs the protocol and interop suites a second time with "postgres"), else memory.
 */
export function defaultTestBackend(): TestBackend {
  const b = process.env.LETTERBOX_TEST_BACKEND;
  return b === 'sqlite' || b === 'postgres' ? b : 'memory';
}

/** a fresh store of that backend: memory, SQLite in dataDir, or a new database on the run's PostgreSQL cluster */
export async function openTestStore(
  backend: TestBackend,
  dataDir: string,
  log?: ReturnType<typeof createLogger>,
  maxMailboxes?: number,
  summarizer?: Summarizer,
): Promise<Store> {
  if (backend === 'sqlite') return openSqliteStore(dataDir, { log, maxMailboxes, summarizer });
  if (backend === 'postgres') return openPostgresStore(await createTestDatabase(), { log, poolSize: 4, maxMailboxes });
  return createMemoryStore({ maxMailboxes, summarizer });
}

export async function makeTestContext(
  /** summaries: the store keeps IMAP's ENVELOPE/BODYSTRUCTURE summaries, as `serve` does (default true) */
  opts: { config?: Record<string, unknown>; backend?: TestBackend; summaries?: boolean } = {},
): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-test-'));
  const config: Config = defaultConfig({
    hostname: TEST_HOSTNAME,
    data_dir: dataDir,
    log: { level: process.env.LETTERBOX_TEST_LOG ?? 'silent' },
    ...opts.config,
  });
  if (config.hostname === TEST_HOSTNAME && config.tls.cert === undefined) await placeTestCertificate(dataDir);
  const log = createLogger(config);
  const summarizer = opts.summaries === false ? undefined : fetchSummarizer;
  const store = await openTestStore(opts.backend ?? defaultTestBackend(), dataDir, log, config.limits.mailboxes_per_account, summarizer);
  const auth = createAuthenticator(store, config, log);
  const tls = await createTlsProvider(config, log);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const ctx: ServerContext = { config, store, auth, tls, log, shutdown: abort.signal, sessions: createSessionRegistry(store, log) };
  const listeners: RunningListener[] = [];

  return {
    ctx,
    dataDir,
    async addUser(address, password) {
      const domain = address.slice(address.lastIndexOf('@') + 1);
      if (!(await store.getDomain(domain))) await store.addDomain(domain);
      return store.createAccount(address, await auth.hashPassword(password));
    },
    async listen(name, tlsMode, handler) {
      const l = await listen(
        {
          name,
          address: '127.0.0.1',
          port: 0,
          tls: tlsMode,
          maxConnectionsPerIp: config.limits.connections_per_ip,
          maxConnections: config.limits.connections_per_listener,
          ipv6PrefixLength: config.limits.ipv6_prefix_length,
        },
        tls,
        handler,
        log,
      );
      listeners.push(l);
      return l;
    },
    async close() {
      abort.abort();
      await Promise.all(listeners.map((l) => l.close(500)));
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
