/**
 * Shared by every command group: the global -c/--config option, opening the configured
 * store for one command, and the one place where errors become operator messages.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { createLogger } from '../log.js';
import type { Config } from '../config/schema.js';
import { loadConfig, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import { StoreError, type Store } from '../store/types.js';
import { createMemoryStore } from '../store/memory/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openPostgresStore, redactUrl } from '../store/postgres/index.js';
import { err } from './io.js';
import { InputError } from '../admin/validate.js';
import { fetchSummarizer } from '../imap/commands/fetch-summary.js';

/** An error the operator caused or can fix: printed without a stack trace, exit code 1. */
export class CliError extends InputError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Which configuration file the command runs with, and the configuration. */
export function loadConfigSource(cmd: Command): LoadedConfig {
  const opts = cmd.optsWithGlobals() as { config?: string };
  const { path, explicit } = resolveConfigPath(opts.config);
  return loadConfig(path, { explicit });
}

/** The configuration for this command (global -c/--config, else $LETTERBOX_CONFIG, else ./letterbox.toml). */
export function loadConfigFrom(cmd: Command): Config {
  return loadConfigSource(cmd).config;
}

const LEVEL_NAMES: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal' };

/** A logger for admin commands: warnings and errors only, as plain "letterbox: warning: …" lines on stderr. */
export function cliLogger(config: Config): Logger {
  const level = config.log.level === 'silent' ? 'silent' : 'warn';
  const destination = {
    write(line: string) {
      try {
        const rec = JSON.parse(line) as { level: number; msg?: string };
        err(`letterbox: ${LEVEL_NAMES[rec.level] ?? 'note'}: ${rec.msg ?? ''}`);
      } catch {
        err(line.trimEnd());
      }
    },
  };
  return createLogger({ log: { level } }, { destination });
}

/**
 * Creates data_dir (owner only: password hashes, DKIM keys and every message live there) if
 * it is missing; true when it was (a first start). Errors name the directory.
 */
export function createDataDir(config: Config): boolean {
  const created = !existsSync(config.data_dir);
  try {
    mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CliError(`cannot create the data directory ${config.data_dir} (data_dir): ${(e as Error).message}`);
  }
  return created;
}

/** Opens the configured store (creating data_dir if needed), runs `fn`, always closes the store. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config, cliLogger(config));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

type StoreOpener = (config: Config, log: Logger) => Promise<Store>;
let opener: StoreOpener | null = null;

/** Tests: make every command use this store factory instead of the configured backend; returns a restore function. */
export function setStoreOpener(fn: StoreOpener | null): () => void {
  const prev = opener;
  opener = fn;
  return () => {
    opener = prev;
  };
}

/** Opens the configured backend (sqlite in data_dir, postgres at store.postgres.url, or memory). Errors name data_dir and what to do. */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  if (opener) return opener(config, log);
  if (config.store.backend === 'memory') {
    log.warn('store.backend is "memory": nothing is kept after this process exits');
    return createMemoryStore({ mimeDepth: config.limits.mime_depth, maxMailboxes: config.limits.mailboxes_per_account, summarizer: fetchSummarizer });
  }
  if (config.store.backend === 'postgres') {
    const url = config.store.postgres.url;
    try {
      return await openPostgresStore(url, {
        log,
        mimeDepth: config.limits.mime_depth,
        poolSize: config.store.postgres.pool_size,
        maxMailboxes: config.limits.mailboxes_per_account,
      });
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new CliError(`${(e as Error).message} [store.postgres.url = ${redactUrl(url) || 'empty: PG* environment variables'}]`);
    }
  }
  createDataDir(config);
  try {
    return await openSqliteStore(config.data_dir, { log, mimeDepth: config.limits.mime_depth, maxMailboxes: config.limits.mailboxes_per_account, summarizer: fetchSummarizer });
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new CliError(
      `cannot open the mail store in ${config.data_dir} (data_dir): ${(e as Error).message}; ` +
        'check that the directory is writable by this user',
    );
  }
}

/**
 * What the operator can do about a store error, by code. Store messages already say what
 * happened to what (e.g. "domain x is still used by 2 accounts"); the hint adds the remedy.
 */
const STORE_HINTS: Partial<Record<StoreError['code'], string>> = {
  TEMP: 'the store is busy or unavailable; try again in a moment',
  INUSE: 'in use right now; try again in a moment',
  OVERQUOTA: 'raise the quota with: letterbox user quota <address> <size>',
  LIMIT: 'a configured limit was reached',
};

/** The one mapping of store errors to CLI messages. */
export function storeErrorMessage(e: StoreError): string {
  const hint = STORE_HINTS[e.code];
  return hint ? `${e.message} (${hint})` : e.message;
}

/** Prints an error the way every command does: "letterbox: message" on stderr; returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof InputError) {
    err(`letterbox: ${e.message}`);
    return e instanceof CliError ? e.exitCode : 1;
  }
  if (e instanceof StoreError) {
    err(`letterbox: ${storeErrorMessage(e)}`);
    return 1;
  }
  if (e instanceof Error && e.name === 'ConfigError') {
    err(e.message);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  err(`letterbox: unexpected error: ${msg}`);
  if (process.env.LETTERBOX_DEBUG && e instanceof Error && e.stack) err(e.stack);
  else err('letterbox: set LETTERBOX_DEBUG=1 to see the stack trace');
  return 1;
}
