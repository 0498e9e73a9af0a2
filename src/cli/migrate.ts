/**
 * `letterbox migrate --to postgres://…`: copies the configured SQLite store into an empty
 * PostgreSQL database (src/store/postgres/import.ts), with a progress bar on standard error,
 * then says how to switch the configuration over. UIDs, UIDVALIDITY, MODSEQs, flags and POP3
 * UIDLs are kept, so clients carry on without a resync.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { importSqliteIntoPostgres } from '../store/postgres/import.js';
import { redactUrl } from '../store/postgres/index.js';
import { DB_FILE } from './backup.js';
import { CliError, loadConfigFrom } from './common.js';
import { out } from './io.js';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('copy the SQLite store into an empty PostgreSQL database (stop the server first)')
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host/database')
    .action(async (opts: { to: string }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      if (config.store.backend !== 'sqlite')
        throw new CliError(`store.backend is "${config.store.backend}": migrate copies a SQLite store (data_dir) into PostgreSQL`);
      if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new CliError(`--to must be a postgres:// URL (got ${redactUrl(opts.to)})`);
      const file = resolve(config.data_dir, DB_FILE);
      if (!existsSync(file)) throw new CliError(`no mail store at ${file} (data_dir); nothing to migrate`);
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: '{stage} [{bar}] {value}/{total}',
          noTTYOutput: true,
          notTTYSchedule: 2000,
          hideCursor: true,
        },
        cliProgress.Presets.legacy,
      );
      let current = '';
      let r;
      try {
        r = await importSqliteIntoPostgres(file, opts.to, (stage, done, total) => {
          if (stage !== current) {
            if (current) bar.stop();
            current = stage;
            bar.start(total, done, { stage: stage.padEnd(8) });
          } else bar.update(done);
        });
      } catch (e) {
        bar.stop();
        throw new CliError(`migration to ${redactUrl(opts.to)} failed, nothing was written there: ${(e as Error).message}`);
      }
      bar.stop();
      out(
        `copied ${r.accounts} account(s), ${r.mailboxes} mailbox(es), ${r.messages} message(s), ${r.retained} POP3-retained, ` +
          `${r.queue} queued, ${r.kv} keyed-state entries from ${file} to ${redactUrl(opts.to)}`,
      );
      out('UIDs, UIDVALIDITY, MODSEQs, flags and POP3 UIDLs are unchanged: clients carry on without a resync.');
      out('Now set in the configuration, then start the server:');
      out('  [store]');
      out('  backend = "postgres"');
      out('  [store.postgres]');
      out(`  url = "${redactUrl(opts.to)}"`);
    });
}
