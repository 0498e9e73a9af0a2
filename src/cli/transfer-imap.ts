/**
 * `letterbox import imap <address> --host …`: pulls every folder of an account on another
 * IMAP server (src/transfer/imap.ts). Run it again to fetch what arrived since (and to bring
 * flags in line); after an interruption it resumes. The password (or an app password)
 * comes from --password-file, --password-env, a prompt, or standard input, never argv.
 */
import type { Command } from 'commander';
import { importImap, connectImap, type ImapFolderReport } from '../transfer/imap.js';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { readPassword } from './password.js';
import { startProgress } from './progress.js';
import { barProgress, printFolderReport, requireAccount } from './transfer-common.js';
import { formatSize } from '../admin/validate.js';

interface ImapOpts {
  host: string;
  port?: string;
  tls?: boolean;
  starttls?: boolean;
  plaintext?: boolean;
  user?: string;
  passwordFile?: string;
  passwordEnv?: string;
  insecure?: boolean;
  folder?: string[];
  keepUids: boolean;
  batch: string;
}

export function registerImapImport(imp: Command): void {
  imp
    .command('imap <address>')
    .description('import every folder of an account on another IMAP server; run again to fetch new mail (resumes after an interruption)')
    .requiredOption('--host <host>', 'the source server')
    .option('--port <port>', 'default 993 with --tls, else 143')
    .option('--tls', 'implicit TLS (port 993)')
    .option('--starttls', 'STARTTLS on port 143 (the default)')
    .option('--plaintext', 'no TLS at all (only for a server on this machine)')
    .option('--user <login>', 'login name on the source server (default: <address>)')
    .option('--password-file <path>', "read the source account's password (or app password) from this file")
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--insecure', 'accept a TLS certificate that does not verify (self-signed source server)')
    .option('--folder <name...>', 'only these source folders')
    .option('--no-keep-uids', "give new UIDs even where the source's could be kept")
    .option('--batch <n>', 'messages per committed batch', '100')
    .action(async (address: string, opts: ImapOpts, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      if ([opts.tls, opts.starttls, opts.plaintext].filter(Boolean).length > 1) throw new CliError('choose one of --tls, --starttls, --plaintext');
      const security = opts.tls ? 'tls' : opts.plaintext ? 'none' : 'starttls';
      const port = Number(opts.port ?? (security === 'tls' ? 993 : 143));
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--port ${opts.port}: not a port number`);
      const batch = Number(opts.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new CliError(`--batch ${opts.batch}: say a number from 1 to 10000`);
      const user = opts.user ?? address;
      const pass = await readPassword(opts, `Password for ${user} at ${opts.host}: `);
      const limit = config.limits.literal_size;
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        const client = connectImap({ host: opts.host, port, security, user, pass, insecure: opts.insecure });
        client.on('error', () => undefined); // reported through the failing command below
        try {
          await client.connect();
        } catch (e) {
          throw new CliError(`cannot log in to ${opts.host}:${port} as ${user}: ${(e as Error).message}${security === 'none' ? '' : ' (self-signed certificate? --insecure)'}`);
        }
        const bar = startProgress('import', 0, 'messages');
        let reports: ImapFolderReport[];
        const tooLarge: string[] = [];
        try {
          reports = await importImap(store, account, client, `${opts.host}:${port}/${user}`, {
            folders: opts.folder,
            keepUids: opts.keepUids,
            batchMessages: batch,
            maxMessageBytes: limit,
            progress: barProgress(bar),
            onTooLarge: (f, uid, size) => tooLarge.push(`${f} UID ${uid} (${formatSize(size)})`),
          });
        } catch (e) {
          if (e instanceof Error && e.name !== 'StoreError') throw new CliError(`import from ${opts.host} stopped: ${e.message}; run the same command again to resume`);
          throw e;
        } finally {
          bar.stop();
          await client.logout().catch(() => client.close());
        }
        for (const r of reports) {
          printFolderReport(r);
          if (r.flagsUpdated) out(`  ${r.flagsUpdated} earlier imported messages took the source's flags`);
        }
        const imported = reports.reduce((s, r) => s + r.imported, 0);
        out(`${imported} messages imported from ${reports.length} folders of ${user} at ${opts.host}`);
        for (const t of tooLarge) out(`skipped ${t}: larger than limits.literal_size (${formatSize(limit)})`);
      });
    });
}
