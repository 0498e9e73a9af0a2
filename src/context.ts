/**
 * What every protocol session is given: the configuration, the store, authentication,
 * TLS, the logger and a signal that fires on graceful shutdown (SIGTERM). Sessions that
 * see `shutdown` aborted say goodbye (IMAP "* BYE", POP3 "-ERR", SMTP 421) and close.
 */
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { Store } from './store/types.js';
import type { Authenticator } from './auth/types.js';
import type { TlsProvider } from './net/types.js';

export interface ServerContext {
  config: Config;
  store: Store;
  auth: Authenticator;
  tls: TlsProvider;
  log: Logger;
  shutdown: AbortSignal;
}
