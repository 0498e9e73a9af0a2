/**
 * Structured logging (pino). One root logger per process, a child per connection carrying
 * { conn, proto, ip } so every line of a session can be found with one filter.
 *
 * Never log passwords or message bodies: callers pass only metadata, and the redaction
 * paths below are a second line of defence should a credential slip into a log object.
 */
import { pino, type Logger } from 'pino';
import type { Config } from './config/schema.js';

/** keys whose values are replaced by "[redacted]" wherever they appear (top level or one level down) */
export const REDACT_PATHS = [
  'password',
  'pass',
  'passwd',
  'secret',
  'authorization',
  '*.password',
  '*.pass',
  '*.passwd',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
];

export interface LoggerOptions {
  /** where to write (default stdout); tests pass a stream to inspect output */
  destination?: pino.DestinationStream;
}

export function createLogger(config: Pick<Config, 'log'>, opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    base: { app: 'letterbox' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

export type { Logger };
