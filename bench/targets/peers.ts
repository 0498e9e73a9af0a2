/**
 * The reference peers: a private Dovecot (IMAP, POP3, LMTP; Maildir, Dovecot's default
 * mail_fsync=optimized, which fsyncs new mail before acknowledging it) and a private
 * Postfix whose port-25 equivalent delivers to that Dovecot over LMTP. Both run from a
 * temporary directory on loopback high ports; nothing of the system's own setup is used,
 * except that Postfix insists on its default main.cf listing alternate_config_directories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../lib/ports.js';
import type { Target } from './target.js';
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../../src/auth/authenticator.js';

export function peersInstalled(): { dovecot: boolean; postfix: boolean } {
  return {
    dovecot: existsSync('/usr/sbin/dovecot') && existsSync('/usr/lib/dovecot/imap') && existsSync('/usr/lib/dovecot/pop3') && existsSync('/usr/lib/dovecot/lmtp'),
    postfix: existsSync('/usr/sbin/postfix'),
  };
}

export function installPeers(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'dovecot-imapd', 'dovecot-pop3d', 'dovecot-lmtpd', 'postfix'], { stdio: 'inherit', env });
}

function pidOf(file: string): number {
  return Number(readFileSync(file, 'latin1').trim().split(/\s+/)[0]);
}

export async function startPeers(opts: { maxConnections: number }): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'peers-bench-'));
  chmodSync(dir, 0o755);
  const [imap, pop3, lmtp, smtp] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dv = join(dir, 'dovecot');
  mkdirSync(join(dv, 'run'), { recursive: true });
  mkdirSync(join(dv, 'mail'), { recursive: true });
  execFileSync('chown', ['nobody:nogroup', join(dv, 'mail')]);
  writeFileSync(join(dv, 'passwd'), '');
  const limit = opts.maxConnections + 100;
  writeFileSync(
    join(dv, 'dovecot.conf'),
    `base_dir = ${dv}/run
state_dir = ${dv}/state
instance_name = letterbox-bench-${imap}
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# both servers cache verified logins (letterbox: auth cache in src/auth)
auth_cache_size = 10M
auth_cache_ttl = 1 hour
# a lookup that raced the passwd-file append must not be remembered as "no such user"
auth_cache_negative_ttl = 0
mail_location = maildir:${dv}/mail/%u/Maildir
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
log_path = ${dv}/dovecot.log
default_process_limit = ${limit}
# Dovecot's default of 10 connections per user and IP would refuse the idle test
mail_max_userip_connections = ${limit}
default_client_limit = ${limit * 2}
passdb {
  driver = passwd-file
  args = ${dv}/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dv}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imap}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3}
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtp}
  }
}
service anvil {
  client_limit = ${limit * 3}
}
`,
  );
  const dovecotConf = join(dv, 'dovecot.conf');
  execFileSync('dovecot', ['-c', dovecotConf], { stdio: 'ignore' });

  // Postfix with its own config, queue and data directories
  const pf = join(dir, 'postfix');
  const conf = join(pf, 'conf');
  mkdirSync(conf, { recursive: true });
  mkdirSync(join(pf, 'queue'), { recursive: true });
  mkdirSync(join(pf, 'data'), { recursive: true });
  execFileSync('chown', ['postfix', join(pf, 'data')]);
  writeFileSync(
    join(conf, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${pf}/queue
data_directory = ${pf}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localhost
mydomain = localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
virtual_mailbox_domains = bench.test
virtual_transport = lmtp:inet:127.0.0.1:${lmtp}
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
mynetworks = 127.0.0.0/8
maillog_file_prefixes = ${dir}
maillog_file = ${pf}/postfix.log
default_process_limit = 200
smtpd_client_connection_rate_limit = 0
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
biff = no
# a delivery Dovecot defers (e.g. while it is busy) is retried within seconds, not Postfix's
# default 5 minutes, so the delivered-rate figure measures throughput, not the retry timer
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
`,
  );
  // the distribution's master.cf, with smtpd on our port and no chroot (the queue is not a chroot jail)
  const master = readFileSync('/etc/postfix/master.cf', 'latin1')
    .split('\n')
    .map((line) => {
      if (/^smtp\s+inet\s/.test(line)) return `127.0.0.1:${smtp} inet n - n - - smtpd`;
      const f = line.split(/\s+/);
      if (/^[a-z]/.test(line) && f.length >= 8 && f[4] !== 'n') {
        f[4] = 'n';
        return f.join(' ');
      }
      return line;
    })
    .join('\n');
  writeFileSync(join(conf, 'master.cf'), master);
  const alt = spawnSync('postconf', ['-h', 'alternate_config_directories'], { encoding: 'latin1' }).stdout.trim();
  if (!alt.split(/[\s,]+/).includes(conf)) {
    execFileSync('postconf', ['-e', `alternate_config_directories = ${[alt, conf].filter(Boolean).join(' ')}`]);
  }
  execFileSync('postfix', ['-c', conf, 'start'], { stdio: 'ignore' });
  await waitForPort(imap);
  await waitForPort(smtp);
  const dovecotPid = pidOf(join(dv, 'run', 'master.pid'));
  const postfixPid = pidOf(join(pf, 'data', 'master.lock'));

  return {
    name: 'dovecot+postfix',
    domain: 'bench.test',
    imapPort: imap,
    pop3Port: pop3,
    smtpPort: smtp,
    async addUsers(localParts, password) {
      // the same argon2id parameters letterbox uses, so logins cost both servers the same
      const phc = await hash(password, ARGON2_OPTIONS);
      appendFileSync(join(dv, 'passwd'), localParts.map((l) => `${l}@bench.test:{ARGON2ID}${phc}\n`).join(''));
      // Dovecot re-reads passwd-file on a later lookup: wait until its auth service knows the
      // last user, so the first delivery over LMTP is not refused as "User doesn't exist"
      const last = `${localParts[localParts.length - 1]}@bench.test`;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        if (spawnSync('doveadm', ['-c', dovecotConf, 'auth', 'lookup', last], { stdio: 'ignore' }).status === 0) break;
      }
    },
    rootPids: () => [dovecotPid, postfixPid],
    async stop() {
      spawnSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore' });
      spawnSync('dovecot', ['-c', dovecotConf, 'stop'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1000));
      const alt2 = spawnSync('postconf', ['-h', 'alternate_config_directories'], { encoding: 'latin1' }).stdout.trim();
      const rest = alt2.split(/[\s,]+/).filter((d) => d && d !== conf);
      execFileSync('postconf', ['-e', `alternate_config_directories = ${rest.join(' ')}`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
