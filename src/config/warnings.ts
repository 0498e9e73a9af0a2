/**
 * Valid but probably unintended settings, as "KEY: WHY" lines. `config check` prints them;
 * `serve` logs them at start. They never stop the server.
 */
import type { Config } from './schema.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function configWarnings(config: Config): string[] {
  const w: string[] = [];
  const l = config.listeners;
  if (config.hostname === 'localhost' && l.smtp.enabled && l.smtp.port === 25) {
    w.push('hostname: "localhost" on the public SMTP port 25; set it to the name your MX record points to');
  }
  for (const name of ['submission', 'imap', 'pop3'] as const) {
    if (l[name].enabled && l[name].tls === 'none') {
      w.push(
        `listeners.${name}.tls: "none" offers no STARTTLS, so clients can only log in from auth.plaintext_allowed_from (${
          config.auth.plaintext_allowed_from.join(', ') || 'empty'
        })`,
      );
    }
  }
  const remote = config.auth.plaintext_allowed_from.filter((a) => !LOOPBACK.test(a));
  if (remote.length) w.push(`auth.plaintext_allowed_from: passwords may travel unencrypted from ${remote.join(', ')}`);
  if (config.store.backend === 'memory') w.push('store.backend: "memory" keeps nothing after the server stops');
  if (config.pop3.delete_policy === 'expunge') w.push('pop3.delete_policy: "expunge" destroys mail at once when a POP3 client deletes it');
  return w;
}
