/**
 * Plaintext-credential policy (RFC 9051 §6.2.3 LOGINDISABLED, RFC 2595 §3.1, RFC 4954 §4):
 * passwords may travel only inside TLS, unless the operator lists the client's address in
 * config.auth.plaintext_allowed_from (typically loopback: ["127.0.0.1", "::1"]).
 */
import type { Config } from '../config/schema.js';
import type { ConnectionInfo } from '../net/types.js';
import { normaliseIp } from '../net/address.js';

export function plaintextAllowed(
  config: Pick<Config, 'auth'>,
  info: Pick<ConnectionInfo, 'secure' | 'remoteAddress'>,
): boolean {
  if (info.secure) return true;
  const ip = normaliseIp(info.remoteAddress);
  return config.auth.plaintext_allowed_from.some((allowed) => normaliseIp(allowed.trim()) === ip);
}
