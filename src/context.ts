/**
 * What every protocol session is given: the configuration, the store, authentication,
 * TLS, the logger and a signal that fires on graceful shutdown (SIGTERM). Sessions that
 * see `shutdown` aborted say goodbye (IMAP "* BYE", POP3 "-ERR", SMTP 421) and close.
 * Sessions register in `sessions`, which ends them when their account is removed or its
 * password changes.
 */
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { Store } from './store/types.js';
import type { Authenticator } from './auth/types.js';
import type { TlsProvider } from './net/types.js';
import type { SessionRegistry } from './net/sessions.js';
import type { BayesClassifier } from './spam/bayes/classifier.js';
import type { Metrics } from './metrics/types.js';
import type { ConnectionSource } from './net/handoff.js';

export interface ServerContext {
  config: Config;
  store: Store;
  auth: Authenticator;
  tls: TlsProvider;
  log: Logger;
  shutdown: AbortSignal;
  /** live IMAP/POP3/submission sessions: who is connected, and ending an account's sessions (src/net/sessions.ts) */
  sessions: SessionRegistry;
  /** the built-in spam classifier (src/spam/bayes); absent = not used */
  bayes?: BayesClassifier;
  /** counters and latency histograms (src/metrics); absent where nothing is measured (most tests) */
  metrics?: Metrics;
  /** a worker of `serve --workers N`: listeners take the connections the primary hands over (src/net/handoff.ts) */
  handoff?: ConnectionSource;
}
