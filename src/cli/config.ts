/**
 * `letterbox config check`: validates the configuration (syntax, keys, values, certificate
 * files) without starting anything, and prints a summary of what `serve` would do.
 */
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { checkConfigFiles, ConfigError } from '../config/load.js';
import { configWarnings } from '../config/warnings.js';
import { loadConfigSource } from './common.js';
import { out, table } from './io.js';
import { formatSize } from '../admin/validate.js';

export const TLS_LABEL = { implicit: 'TLS', starttls: 'STARTTLS', none: 'plain' } as const;

export function summary(config: Config, file: string | null): void {
  out(`configuration: ${file ?? 'built-in defaults (no letterbox.toml found; quick-start ports)'}`);
  out(`hostname:      ${config.hostname}`);
  out(`data_dir:      ${config.data_dir}`);
  out(`store:         ${config.store.backend}`);
  out(`certificate:   ${config.tls.cert ? `${config.tls.cert} (key ${config.tls.key})` : `self-signed for ${config.hostname}, kept in data_dir`}`);
  const sni = Object.keys(config.tls.sni);
  if (sni.length) out(`SNI names:     ${sni.join(', ')}`);
  out(`log level:     ${config.log.level}`);
  out(`POP3 DELE:     ${config.pop3.delete_policy}${config.pop3.delete_policy === 'retain' ? ` (${config.pop3.retention_days} days)` : ''}`);
  out(`message size:  ${formatSize(config.limits.message_size)}`);
  out('listeners:');
  table(
    Object.entries(config.listeners).map(([name, l]) => [
      `  ${name}`,
      l.enabled ? `${l.address}:${l.port}` : 'disabled',
      l.enabled ? TLS_LABEL[l.tls] : '',
    ]),
  );
}

export function register(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration file without starting the server; prints a summary')
    .action((_opts: unknown, cmd: Command) => {
      const { config: cfg, file } = loadConfigSource(cmd);
      const problems = checkConfigFiles(cfg);
      if (problems.length) throw new ConfigError(file, problems);
      summary(cfg, file);
      const warnings = configWarnings(cfg);
      for (const w of warnings) out(`warning: ${w}`);
      out(warnings.length ? `configuration OK (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : 'configuration OK');
    });
}
