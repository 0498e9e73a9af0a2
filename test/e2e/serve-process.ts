/**
 * The real `letterbox serve` as a child process, for end-to-end and crash tests: a temp
 * directory with a letterbox.toml (every listener on 127.0.0.1 port 0, SQLite store in a temp
 * data_dir, plaintext auth allowed from 127.0.0.1, no SPF/DKIM/DMARC lookups), the listener
 * ports read from the start banner, the admin CLI run against the same configuration, and
 * kill/restart helpers. Works compiled (dist/) and under tsx (src/*.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LISTENERS = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https'] as const;
export type ListenerName = (typeof LISTENERS)[number];

const UNDER_TSX = import.meta.url.endsWith('.ts');
/** node arguments that run the letterbox CLI in this mode */
export const CLI_ARGS = UNDER_TSX ? ['--import', 'tsx', 'src/cli/main.ts'] : ['dist/src/cli/main.js'];

export interface ServeProcess {
  child: ChildProcess;
  ports: Record<ListenerName, number>;
  stdout(): string;
  stderr(): string;
  /** resolves with the exit code (null when killed by a signal) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeHome {
  dir: string;
  dataDir: string;
  configFile: string;
  /** starts `letterbox serve` and waits for its banner */
  start(): Promise<ServeProcess>;
  /** runs `letterbox -c <config> ...args`, with `stdin` piped in */
  cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** kills every process started here (SIGKILL) and removes the directory */
  cleanup(): Promise<void>;
}

/** free loopback ports (the OS picks; a tiny race with other processes is accepted) */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A home for one server. `ports`: fixed listener ports (needed when a test checks what
 * autoconfiguration advertises); default port 0 (read from the banner).
 */
export function makeServeHome(
  extraToml = '',
  ports?: Partial<Record<ListenerName, number>>,
  opts: {
    /** replaces the [store] table (default: backend = "sqlite") */
    store?: string;
    /** replaces the [smtp] table (default: no SPF/DKIM/DMARC lookups, outbound relay to a closed port) */
    smtp?: string;
    /** extra arguments of `serve` (e.g. ["--workers", "1"]) */
    serveArgs?: string[];
  } = {},
): ServeHome {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-e2e-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'letterbox.toml');
  let toml =
    `hostname = "mail.example.test"\ndata_dir = "${dataDir}"\n` +
    `[store]\n${opts.store ?? 'backend = "sqlite"'}\n[log]\nlevel = "${process.env.LETTERBOX_TEST_LOG ?? 'warn'}"\n` +
    `[auth]\nplaintext_allowed_from = ["127.0.0.1"]\n` +
    `[smtp]\n${opts.smtp ?? 'verify_inbound = false\nrelay_host = "127.0.0.1:9"'}\n`;
  for (const n of LISTENERS) toml += `[listeners.${n}]\naddress = "127.0.0.1"\nport = ${ports?.[n] ?? 0}\n`;
  writeFileSync(configFile, toml + extraToml);
  const children = new Set<ChildProcess>();

  const run = (args: string[]) => {
    const child = spawn(process.execPath, [...CLI_ARGS, '-c', configFile, ...args], {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LETTERBOX_CONFIG: configFile },
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };

  return {
    dir,
    dataDir,
    configFile,
    async start() {
      const child = run(['serve', '--grace', '2', ...(opts.serveArgs ?? [])]);
      child.stdin!.end();
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
        child.on('exit', (code, signal) => r({ code, signal })),
      );
      const ports = await new Promise<Record<ListenerName, number>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`letterbox serve did not print its listeners within 30 s\nstdout: ${out}\nstderr: ${err}`)), 30_000);
        const check = () => {
          const found: Partial<Record<ListenerName, number>> = {};
          for (const m of out.matchAll(/^ {2}(\w+)\s+127\.0\.0\.1:(\d+)\s/gm)) found[m[1] as ListenerName] = Number(m[2]);
          if (LISTENERS.every((n) => found[n])) {
            clearTimeout(timer);
            resolve(found as Record<ListenerName, number>);
          }
        };
        child.stdout!.on('data', check);
        void exited.then((x) => {
          clearTimeout(timer);
          reject(new Error(`letterbox serve exited early (${x.code ?? x.signal})\nstdout: ${out}\nstderr: ${err}`));
        });
      });
      return { child, ports, stdout: () => out, stderr: () => err, exited };
    },
    cli(args, stdin = '') {
      const child = run(args);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.stdin!.end(stdin);
      return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    },
    async cleanup() {
      for (const c of children) {
        c.kill('SIGKILL');
        await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `domain add` + `user add` (password on standard input) through the CLI; throws with its output on failure */
export async function addUserViaCli(home: ServeHome, address: string, password: string): Promise<void> {
  const domain = address.slice(address.indexOf('@') + 1);
  const d = await home.cli(['domain', 'add', domain]);
  if (d.code !== 0 && !/exist/i.test(d.stderr + d.stdout)) throw new Error(`domain add failed (${d.code}): ${d.stderr}${d.stdout}`);
  const u = await home.cli(['user', 'add', address], `${password}\n`);
  if (u.code !== 0) throw new Error(`user add failed (${u.code}): ${u.stderr}${u.stdout}`);
}
