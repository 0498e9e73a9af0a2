/**
 * A private rspamd (Debian's package) for tests: its own configuration file, local.d,
 * database, pid and log in a temp directory, its normal worker on a free loopback port,
 * DNS pointed at the test DNS server (so nothing leaves the machine). Heavy to start
 * (seconds to a minute), so a suite starts one and shares it. Test GTUBE variants (rspamd's
 * `enable_test_patterns`): XJS… reject, YJS… add header, ZJS… rewrite subject, AJS… no
 * action; a rule of ours answers "soft reject" to a Subject containing LB-SOFT-REJECT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../e2e/serve-process.js';

export const GTUBE = {
  reject: 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  addHeader: 'YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  rewriteSubject: 'ZJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  noAction: 'AJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
};

export interface Rspamd {
  url: string;
  stop(): Promise<void>;
}

export function rspamdInstalled(): boolean {
  return spawnSync('rspamd', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startRspamd(opts: { dnsServer: string }): Promise<Rspamd> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-rspamd-'));
  const local = join(dir, 'local');
  for (const d of [local, join(local, 'local.d'), join(dir, 'db'), join(dir, 'run')]) mkdirSync(d, { recursive: true });
  const port = (await freePorts(1))[0]!;
  const conf = join(dir, 'rspamd.conf');
  writeFileSync(
    conf,
    `.include "$CONFDIR/common.conf"
options {
  pidfile = "${dir}/run/rspamd.pid";
  .include "$CONFDIR/options.inc"
  enable_test_patterns = true;
  # compiling hyperscan databases is most of rspamd's start-up (minutes on a loaded machine); PCRE is enough here
  disable_hyperscan = true;
  dns { nameserver = ["${opts.dnsServer}"]; timeout = 1s; retransmits = 1; }
}
logging { type = "file"; filename = "${dir}/rspamd.log"; level = "error"; }
worker "normal" { bind_socket = "127.0.0.1:${port}"; .include "$CONFDIR/worker-normal.inc"; count = 1; }
`,
  );
  // modules that would reach out to the internet or need redis
  for (const m of ['fuzzy_check', 'rbl', 'surbl', 'emails', 'phishing', 'asn', 'neural', 'ratelimit', 'replies', 'dcc', 'url_redirector'])
    writeFileSync(join(local, 'local.d', `${m}.conf`), 'enabled = false;\n');
  writeFileSync(
    join(local, 'rspamd.local.lua'),
    `rspamd_config:register_symbol({ name = 'LB_SOFT_REJECT', score = 0.0, type = 'prefilter', priority = 10, callback = function(task)
  local s = task:get_header('Subject')
  if s and s:find('LB-SOFT-REJECT', 1, true) then task:set_pre_result('soft reject', 'letterbox test: try later') end
end })
`,
  );
  const args = ['-f', '-i', '-c', conf, `--var=LOCAL_CONFDIR=${local}`, `--var=DBDIR=${join(dir, 'db')}`, `--var=RUNDIR=${join(dir, 'run')}`, `--var=LOGDIR=${dir}`];
  if (process.getuid?.() === 0) args.push('-u', 'root', '-g', 'root');
  const child: ChildProcess = spawn('rspamd', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()).length > 20000 && (stderr = stderr.slice(-10000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'rspamd.log'), 'utf8').slice(-2000);
      } catch {
        // no log yet
      }
      await stop();
      throw new Error(`rspamd exited with ${child.exitCode}: ${stderr.slice(-2000)} ${log}`);
    }
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('rspamd did not start within 180 s');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop };
}
