/**
 * `letterbox verify [--backup <file>]`: checks the configured store (any backend), or a
 * backup file opened read-only without restoring it, through src/store/verify.ts. Prints
 * one line per problem and exits 1 when there is any.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openSqliteStore, DB_FILE } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { countMessages, verifyStore, type VerifyReport } from '../store/verify.js';
import { CliError, cliLogger, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { startProgress } from './progress.js';
import { formatSize } from '../admin/validate.js';

export async function verifyWithProgress(store: Store): Promise<VerifyReport> {
  const bar = startProgress('verify', await countMessages(store), 'messages');
  try {
    return await verifyStore(store, { onProgress: (n, where) => bar.increment(n, where) });
  } finally {
    bar.stop();
  }
}

/** Prints the problems (one per line) and a summary; throws (exit 1) when there are problems. */
export function printReport(r: VerifyReport, what: string): void {
  for (const p of r.problems) out(`problem: ${p}`);
  const summary =
    `${r.messages} messages (${formatSize(r.bytes)}) in ${r.mailboxes} mailboxes of ${r.accounts} accounts, ` +
    `${r.queueItems} queued messages`;
  if (r.problems.length > 0) throw new CliError(`${what}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found in ${summary}`);
  out(`${what} is sound: ${summary} checked`);
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('check every message against its content hash and index, UID/MODSEQ invariants and the queue; exit 1 on any problem')
    .option('--backup <file>', 'verify this backup file (read-only) instead of the configured store')
    .action(async (opts: { backup?: string }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      if (opts.backup) {
        const file = resolve(opts.backup);
        if (!existsSync(file)) throw new CliError(`${file} does not exist`);
        let store: Store;
        try {
          store = await openSqliteStore(config.data_dir, { readonlyFile: file, log: cliLogger(config) });
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        try {
          printReport(await verifyWithProgress(store), `backup ${file}`);
        } finally {
          await store.close();
        }
        return;
      }
      if (config.store.backend === 'sqlite' && !existsSync(join(config.data_dir, DB_FILE)))
        throw new CliError(`no mail store at ${join(config.data_dir, DB_FILE)} (data_dir); nothing to verify`);
      const report = await withStore(config, (store) => verifyWithProgress(store));
      printReport(report, 'the store');
    });
}
