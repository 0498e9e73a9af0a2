/**
 * The `letterbox` command tree (commander). `run(argv)` parses and executes one command
 * and returns the exit code, printing errors as one line on stderr (no stack trace);
 * tests call it in-process with their own streams (./io.ts).
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './common.js';
import { io, setIo, type CliIO } from './io.js';
import * as serve from './serve.js';
import * as migrate from './migrate.js';
import * as domain from './domain.js';
import * as user from './user.js';
import * as alias from './alias.js';
import * as config from './config.js';
import * as backup from './backup.js';
import * as queue from './queue.js';
import * as dns from './dns.js';
import * as dmarc from './dmarc.js';
import * as verify from './verify.js';
import * as transfer from './transfer.js';
import { version } from '../version.js';
import * as sieve from './sieve.js';
import * as mailbox from './mailbox.js';


export function buildProgram(): Command {
  const program = new Command('letterbox')
    .description('letterbox: a self-hosted mail server (SMTP, submission, IMAP, POP3) over one store')
    .version(version(), '-V, --version')
    .option('-c, --config <path>', 'configuration file (default: $LETTERBOX_CONFIG, else ./letterbox.toml)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  for (const group of [serve, domain, user, alias, mailbox, sieve, config, dns, dmarc, queue, backup, verify, transfer, migrate]) group.register(program);
  return program;
}

/** Runs one command line (without "node" and the script). Resolves to the exit code. */
export async function run(argv: string[], ioOverride?: Partial<CliIO>): Promise<number> {
  const restore = ioOverride ? setIo(ioOverride) : () => undefined;
  try {
    const program = buildProgram();
    if (argv.length === 0) {
      program.outputHelp();
      return 1;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander printed its message already
    return reportError(e);
  } finally {
    restore();
  }
}
