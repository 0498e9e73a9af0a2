/**
 * `letterbox import mbox|maildir|imap` and `letterbox export`: moving mail into and out of
 * an account (src/transfer/), with a progress bar, on any store backend, also while the
 * server runs (imported messages appear to connected clients as new mail).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import type { Account, Store } from '../store/types.js';
import { exportAccount, type ExportFormat } from '../transfer/export.js';
import { mboxSources } from '../transfer/files.js';
import { maildirFolders } from '../transfer/maildir.js';
import { importFolder } from '../transfer/sink.js';
import { TransferError, type FolderReport, type SourceFolder } from '../transfer/types.js';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { startProgress } from './progress.js';
import { formatSize } from '../admin/validate.js';
import { registerImapImport } from './transfer-imap.js';
import { barProgress, printFolderReport, requireAccount } from './transfer-common.js';

/** Imports folders one after the other under one progress bar; returns the reports. */
export async function importFolders(store: Store, account: Account, folders: SourceFolder[], opts: { mailbox?: string; keepUids: boolean }): Promise<FolderReport[]> {
  const total = folders.reduce((s, f) => s + (f.count ?? 0), 0);
  const bar = startProgress('import', total, 'messages');
  const reports: FolderReport[] = [];
  try {
    for (const f of folders) reports.push(await importFolder(store, account, f, { progress: barProgress(bar, total), mailbox: opts.mailbox, keepUids: opts.keepUids }));
  } finally {
    bar.stop();
  }
  return reports;
}

function summary(reports: FolderReport[], tooLarge: number, limit: number): void {
  for (const r of reports) printFolderReport(r);
  const imported = reports.reduce((s, r) => s + r.imported, 0);
  const dup = reports.reduce((s, r) => s + r.duplicates, 0);
  out(`${imported} messages imported into ${reports.length} mailbox${reports.length === 1 ? '' : 'es'}${dup ? `, ${dup} were already there` : ''}`);
  if (tooLarge) out(`${tooLarge} messages larger than limits.literal_size (${formatSize(limit)}) were skipped`);
}

interface FileOpts {
  mailbox?: string;
  keepUids: boolean;
}

export function register(program: Command): void {
  const imp = program.command('import').description('import mail into an account: from mbox files, a Maildir tree, or another IMAP server');

  imp
    .command('mbox <address> <path...>')
    .description('import mbox files (a directory: every mbox file under it, one mailbox each)')
    .option('--mailbox <name>', 'import everything into this mailbox (default: named after each file)')
    .option('--no-keep-uids', 'give new UIDs even where X-UID/X-IMAPbase headers could be kept')
    .action(async (address: string, paths: string[], opts: FileOpts, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      for (const p of paths) if (!existsSync(p)) throw new CliError(`${p} does not exist`);
      let tooLarge = 0;
      const limit = config.limits.literal_size;
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        const { folders, skipped } = await mboxSources(paths.map((p) => resolve(p)), { maxMessageBytes: limit, onTooLarge: () => tooLarge++ });
        for (const s of skipped) out(`skipped ${s}: not an mbox file (does not start with "From ")`);
        if (folders.length === 0) throw new CliError('no mbox file found to import');
        summary(await importFolders(store, account, folders, opts), tooLarge, limit);
      });
    });

  imp
    .command('maildir <address> <dir>')
    .description("import a Maildir tree (Maildir++ or verbatim folders; Dovecot's and Courier's flags, keywords and UIDs)")
    .option('--mailbox <name>', 'import everything into this mailbox (default: the folder names)')
    .option('--no-keep-uids', 'give new UIDs even where dovecot-uidlist / courierimapuiddb could be kept')
    .action(async (address: string, dir: string, opts: FileOpts, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      let tooLarge = 0;
      const limit = config.limits.literal_size;
      let folders: SourceFolder[];
      try {
        folders = maildirFolders(resolve(dir), { maxMessageBytes: limit, onTooLarge: () => tooLarge++ });
      } catch (e) {
        throw new CliError(`cannot read the Maildir ${dir}: ${(e as Error).message}`);
      }
      if (folders.length === 0) throw new CliError(`${dir} holds no Maildir folder (no cur/ or new/ directory found)`);
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        summary(await importFolders(store, account, folders, opts), tooLarge, limit);
      });
    });

  registerImapImport(imp);

  program
    .command('export <address> <dir>')
    .description('export an account (or some mailboxes) to mbox files or a Maildir++ tree, with flags, keywords and UIDs')
    .option('--format <format>', 'mbox or maildir', 'mbox')
    .option('--mailbox <name...>', 'only these mailboxes')
    .action(async (address: string, dir: string, opts: { format: string; mailbox?: string[] }, cmd: Command) => {
      if (opts.format !== 'mbox' && opts.format !== 'maildir') throw new CliError(`--format ${opts.format}: say mbox or maildir`);
      const config: Config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        const bar = startProgress('export', 0, 'messages');
        let report;
        try {
          report = await exportAccount(store, account, resolve(dir), opts.format as ExportFormat, { mailboxes: opts.mailbox, progress: barProgress(bar) });
        } catch (e) {
          throw e instanceof TransferError ? new CliError(e.message) : e;
        } finally {
          bar.stop();
        }
        for (const n of report.notes) out(`note: ${n}`);
        out(`exported ${report.messages} messages (${formatSize(report.bytes)}) from ${report.mailboxes} mailboxes of ${account.address} to ${resolve(dir)} (${opts.format})`);
      });
    });
}
