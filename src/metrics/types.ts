/**
 * The metrics hook every protocol calls at its dispatch points (ctx.metrics). Label values
 * are bounded: protocols are a fixed set, command names come from each protocol's own
 * command table ("other" for anything unknown), results are a fixed set.
 */
export type MetricsProtocol = 'imap' | 'pop3' | 'smtp' | 'submission' | 'managesieve' | 'http';
export type LoginProtocol = 'imap' | 'pop3' | 'smtp' | 'managesieve' | 'web';
export type LoginOutcome = 'ok' | 'failed' | 'throttled';
/**
 * received: accepted with SMTP 250 (port 25 or submission); delivered: stored in a local
 * mailbox or accepted by the remote server (per recipient); queued: placed in the outbound
 * queue; deferred: a queue attempt ended with recipients left to retry; bounced: recipients
 * given up on (failure DSN).
 */
export type MessageEvent = 'received' | 'delivered' | 'queued' | 'deferred' | 'bounced';

export interface Metrics {
  /** a connection was accepted; call the returned function once when it closes (open-connections gauge) */
  connection(protocol: MetricsProtocol): () => void;
  /** one login attempt (the authenticator calls it, so web logins count too) */
  login(protocol: LoginProtocol, outcome: LoginOutcome): void;
  /** one command, its status ("ok" / "no" / "bad" / a reply class such as "2xx") and how long it took */
  command(protocol: MetricsProtocol, command: string, status: string, seconds: number): void;
  message(event: MessageEvent, count?: number): void;
}
