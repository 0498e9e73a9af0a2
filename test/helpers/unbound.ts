/**
 * Real DNSSEC for tests (Debian's unbound and ldnsutils): a zone signed with a fresh key
 * (ldns-keygen, ldns-signzone), served by one unbound as its authority, and a second
 * unbound as the validating recursive resolver letterbox asks (`dns.servers`), with that
 * key's DS as its trust anchor. Answers from the signed zone carry the AD bit because the
 * resolver validated them; a zone whose signatures do not match the anchor is bogus
 * (SERVFAIL). Everything runs in a temp directory on loopback ports and stops with stop().
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../e2e/serve-process.js';

export function unboundInstalled(): boolean {
  return spawnSync('unbound', ['-V'], { stdio: 'ignore' }).status === 0 && spawnSync('ldns-keygen', ['-v'], { stdio: 'ignore' }).error === undefined;
}

export interface SignedZone {
  /** "127.0.0.1:<port>" of the validating resolver */
  server: string;
  stop(): Promise<void>;
}

/**
 * @param zone the zone name ("dane.test")
 * @param records zone-file lines relative to the zone ("mx IN A 127.0.0.1")
 * @param opts.bogus sign with one key but anchor another: the resolver must refuse the answers
 */
export async function startSignedZone(zone: string, records: string[], opts: { bogus?: boolean } = {}): Promise<SignedZone> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-dnssec-'));
  const file = join(dir, `${zone}.zone`);
  writeFileSync(
    file,
    [`$ORIGIN ${zone}.`, '$TTL 300', `@ IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 300`, `@ IN NS ns.${zone}.`, 'ns IN A 127.0.0.1', ...records, ''].join('\n'),
  );
  const keygen = () => execFileSync('ldns-keygen', ['-a', 'ECDSAP256SHA256', '-k', zone], { cwd: dir }).toString().trim();
  const key = keygen();
  execFileSync('ldns-signzone', ['-n', file, key], { cwd: dir });
  const anchor = opts.bogus ? keygen() : key;
  const [authPort, resPort] = (await freePorts(2)) as [number, number];
  const common = (port: number, name: string) =>
    `server:\n  interface: 127.0.0.1@${port}\n  port: ${port}\n  do-daemonize: no\n  username: ""\n  chroot: ""\n  directory: "${dir}"\n  pidfile: "${dir}/${name}.pid"\n` +
    `  use-syslog: no\n  logfile: "${dir}/${name}.log"\n  access-control: 127.0.0.0/8 allow\n  do-ip6: no\n  local-zone: "test." nodefault\n  local-zone: "${zone}." nodefault\n`;
  writeFileSync(join(dir, 'auth.conf'), common(authPort, 'auth') + `auth-zone:\n  name: "${zone}."\n  zonefile: "${file}.signed"\n  for-downstream: yes\n  for-upstream: no\n`);
  writeFileSync(
    join(dir, 'res.conf'),
    common(resPort, 'res') +
      `  module-config: "validator iterator"\n  trust-anchor-file: "${join(dir, anchor + '.ds')}"\n  do-not-query-localhost: no\n` +
      `stub-zone:\n  name: "${zone}."\n  stub-addr: 127.0.0.1@${authPort}\n`,
  );
  const children: ChildProcess[] = ['auth', 'res'].map((n) => spawn('unbound', ['-c', join(dir, `${n}.conf`)], { stdio: 'ignore' }));
  const stop = async () => {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // ready when the resolver answers (its log shows "start of service")
  const deadline = Date.now() + 20_000;
  for (;;) {
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const ready = logs.length === 2 && spawnSync('grep', ['-l', 'start of service', ...logs.map((l) => join(dir, l))]).stdout.toString().trim().split('\n').length === 2;
    if (ready) break;
    if (Date.now() > deadline || children.some((c) => c.exitCode !== null)) {
      await stop();
      throw new Error('unbound did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server: `127.0.0.1:${resPort}`, stop };
}
