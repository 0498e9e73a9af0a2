/**
 * Loads the configuration: one TOML file (smol-toml), validated with ConfigSchema.
 *
 * - Every error names the file, the key path and the reason, one problem per line:
 *   `/etc/letterbox.toml: listeners.imap.port: expected an integer, got the string "x"`.
 * - A missing file at the default location gives every default (the quick start);
 *   a missing file the operator named explicitly (-c, $LETTERBOX_CONFIG) is an error.
 * - Relative paths (data_dir, tls.cert, tls.key, tls.sni.*) are resolved against the
 *   directory of the configuration file, or the working directory when there is none.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigSchema, type Config } from './schema.js';
import { formatIssues } from './issues.js';

export const DEFAULT_CONFIG_FILE = 'letterbox.toml';

export class ConfigError extends Error {
  constructor(
    /** the file the problem is in, or null for the built-in defaults */
    readonly file: string | null,
    /** one "KEY: REASON" (or syntax) line per problem */
    readonly problems: string[],
  ) {
    const where = file ?? '(built-in defaults)';
    super(problems.map((p) => `${where}: ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: Config;
  /** absolute path of the file read, or null when the defaults were used (no file at the default path) */
  file: string | null;
}

/** Which file to read: the -c option, else $LETTERBOX_CONFIG, else ./letterbox.toml (not explicit). */
export function resolveConfigPath(
  cliPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): { path: string; explicit: boolean } {
  const named = cliPath ?? (env.LETTERBOX_CONFIG || undefined);
  if (named) return { path: resolve(cwd, named), explicit: true };
  return { path: resolve(cwd, DEFAULT_CONFIG_FILE), explicit: false };
}

/** Reads, parses and validates `path`. Throws ConfigError. */
export function loadConfig(path: string, opts: { explicit?: boolean; cwd?: string } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !opts.explicit) return { config: parseConfig('', null, cwd), file: null };
    const reason =
      code === 'ENOENT'
        ? 'configuration file not found (check the -c option or $LETTERBOX_CONFIG)'
        : code === 'EACCES'
          ? 'permission denied reading the configuration file'
          : code === 'EISDIR'
            ? 'is a directory, not a configuration file'
            : `cannot read the configuration file: ${(err as Error).message}`;
    throw new ConfigError(file, [reason]);
  }
  return { config: parseConfig(text, file, dirname(file)), file };
}

/**
 * Parses TOML text and validates it. `file` is used in messages (null = defaults);
 * relative paths are resolved against `baseDir`.
 */
export function parseConfig(text: string, file: string | null, baseDir: string): Config {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(file, [`line ${err.line}, column ${err.column}: TOML syntax error: ${first}`]);
    }
    throw new ConfigError(file, [`cannot parse: ${(err as Error).message}`]);
  }
  const result = ConfigSchema.safeParse(data);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues, data, ConfigSchema));
  const config = result.data;
  const problems = crossCheck(config);
  if (problems.length) throw new ConfigError(file, problems);
  return resolvePaths(config, baseDir);
}

function resolvePaths(config: Config, baseDir: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const sni: Config['tls']['sni'] = {};
  for (const [name, pair] of Object.entries(config.tls.sni)) sni[name] = { cert: abs(pair.cert), key: abs(pair.key) };
  return {
    ...config,
    data_dir: abs(config.data_dir),
    tls: {
      ...config.tls,
      ...(config.tls.cert !== undefined ? { cert: abs(config.tls.cert) } : {}),
      ...(config.tls.key !== undefined ? { key: abs(config.tls.key) } : {}),
      sni,
      acme: { ...config.tls.acme, ...(config.tls.acme.ca_file !== undefined ? { ca_file: abs(config.tls.acme.ca_file) } : {}) },
    },
  };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** Rules that span keys: cert and key come together; two enabled listeners cannot share a port. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  if ((config.tls.cert === undefined) !== (config.tls.key === undefined)) {
    const missing = config.tls.cert === undefined ? 'tls.cert' : 'tls.key';
    problems.push(`${missing}: missing; tls.cert and tls.key must be given together (or neither, for a self-signed certificate)`);
  }
  const seen: Array<{ name: string; address: string; port: number }> = [];
  for (const [name, l] of Object.entries(config.listeners)) {
    if (!l.enabled || l.port === 0) continue;
    const clash = seen.find(
      (s) => s.port === l.port && (s.address === l.address || WILDCARDS.has(s.address) || WILDCARDS.has(l.address)),
    );
    if (clash) problems.push(`listeners.${name}.port: port ${l.port} is already used by listeners.${clash.name}`);
    seen.push({ name, address: l.address, port: l.port });
  }
  return problems;
}

/**
 * Checks what the server needs from the file system beyond the syntax: certificate and key
 * files readable. Returns "KEY: REASON" lines (empty when fine). Used by `serve` and `config check`.
 */
export function checkConfigFiles(config: Config): string[] {
  const problems: string[] = [];
  const readable = (key: string, p: string | undefined) => {
    if (p === undefined) return;
    try {
      accessSync(p, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      problems.push(`${key}: cannot read ${p}: ${why}`);
    }
  };
  readable('tls.cert', config.tls.cert);
  readable('tls.key', config.tls.key);
  for (const [name, pair] of Object.entries(config.tls.sni)) {
    readable(`tls.sni."${name}".cert`, pair.cert);
    readable(`tls.sni."${name}".key`, pair.key);
  }
  readable('tls.acme.ca_file', config.tls.acme.ca_file);
  if (config.tls.acme.enabled && config.tls.cert !== undefined)
    problems.push('tls.acme.enabled: the certificate would come from both tls.cert and ACME; unset tls.cert and tls.key, or disable tls.acme');
  return problems;
}
