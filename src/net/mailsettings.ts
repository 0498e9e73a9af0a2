/**
 * What autoconfiguration tells mail clients: our host name and the enabled listeners that
 * use TLS, implicit TLS first (RFC 8314 §3 prefers it over STARTTLS). Listeners without
 * TLS are never advertised, so no client is told to send its password in the clear.
 * Port 25 ("smtp") is for other servers, not clients, and is left out as well.
 */
import type { Config } from '../config/schema.js';
import { aLabel } from './dns-name.js';

export type Security = 'SSL' | 'STARTTLS';

export interface Endpoint {
  host: string;
  port: number;
  security: Security;
}

export interface MailSettings {
  imap: Endpoint[];
  pop3: Endpoint[];
  smtp: Endpoint[];
}

export function mailSettings(config: Config): MailSettings {
  const pick = (...names: (keyof Config['listeners'])[]): Endpoint[] =>
    names
      .map((n) => config.listeners[n])
      .filter((l) => l.enabled && l.tls !== 'none')
      .sort((a, b) => (a.tls === 'implicit' ? 0 : 1) - (b.tls === 'implicit' ? 0 : 1))
      .map((l) => ({ host: aLabel(config.hostname), port: l.port, security: l.tls === 'implicit' ? 'SSL' : 'STARTTLS' }));
  return {
    imap: pick('imaps', 'imap'),
    pop3: pick('pop3s', 'pop3'),
    smtp: pick('submissions', 'submission'),
  };
}

/** a mail address as a client types it: local@domain, no spaces or angle brackets, ≤ 254 octets (RFC 5321 §4.5.3.1.3) */
export function parseAddress(value: string | null | undefined): { address: string; local: string; domain: string } | null {
  if (!value) return null;
  const address = value.trim();
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1 || Buffer.byteLength(address) > 254) return null;
  if (/[\s<>()\[\],;:"\\\u0000-\u001f]/.test(address)) return null;
  const domain = address.slice(at + 1).toLowerCase();
  if (!/^[^.]+(\.[^.]+)*$/.test(domain)) return null;
  return { address, local: address.slice(0, at), domain };
}
