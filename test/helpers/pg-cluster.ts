/**
 * A private PostgreSQL cluster for tests and benchmarks: Debian's postgresql binaries,
 * initdb into a temporary directory, listening only on a unix socket in that directory
 * (no TCP port to collide with), run as `nobody` when we are root (CI runs as root and
 * PostgreSQL refuses to run as root), trust authentication (the socket directory is
 * private to the cluster), fsync off (the tests kill letterbox, never PostgreSQL).
 *
 * One cluster per test run: scripts/run-tests.mjs starts it and hands its address to every
 * test process in LETTERBOX_TEST_PG; a test file run on its own starts one itself and stops
 * it when the process exits. Each test then makes a fresh database (createTestDatabase).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgCluster {
  /** the socket directory: libpq `host` */
  host: string;
  user: string;
  /** connection URL of one database */
  url(database: string): string;
  stop(): void;
}

const SUPERUSER = 'letterbox';

/** the bin directory of the newest installed Debian postgresql, or null */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0]!, 'bin') : null;
}

export function havePostgres(): boolean {
  return postgresBinDir() !== null;
}

function urlFor(host: string, user: string, database: string): string {
  return `postgresql://${user}@/${database}?host=${encodeURIComponent(host)}`;
}

/** initdb + pg_ctl start; throws with the tool's output when it fails */
export function startCluster(): PgCluster {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'nobody', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  if (asRoot) chownSync(dir, 65534, 65534);
  run(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const opts = [
    `-k ${dir}`,
    "-c listen_addresses=''",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=400',
    '-c shared_buffers=64MB',
    '-c max_locks_per_transaction=256',
  ].join(' ');
  run(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    host: dir,
    user: SUPERUSER,
    url: (db) => urlFor(dir, SUPERUSER, db),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let own: PgCluster | null = null;

/** the run's cluster: the one named by LETTERBOX_TEST_PG (the socket directory), else one of our own */
export function testCluster(): PgCluster {
  const host = process.env.LETTERBOX_TEST_PG;
  if (host) return { host, user: SUPERUSER, url: (db) => urlFor(host, SUPERUSER, db), stop() {} };
  if (!own) {
    own = startCluster();
    const c = own;
    process.once('exit', () => c.stop());
    process.env.LETTERBOX_TEST_PG = c.host; // child processes (serve nodes, CLI) share it
  }
  return own;
}

/** a fresh, empty database on the run's cluster; returns its URL */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const c = testCluster();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: c.url('postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return c.url(name);
}
