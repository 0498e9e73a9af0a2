/**
 * Our own MTA-STS policy (RFC 8461 §3.2), the same text for every hosted domain: mail for
 * it goes to this server's hostname. Served at https://mta-sts.<domain>/.well-known/mta-sts.txt
 * by the web listeners (src/web/pages/mta-sts.ts); `letterbox dns` prints the `_mta-sts` record
 * whose id changes whenever the text does.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';

/** where the policy is served on https://mta-sts.<domain> (RFC 8461 §3.3) */
export const MTA_STS_PATH = '/.well-known/mta-sts.txt';

export function ownPolicyText(config: Config): string {
  const maxAge = config.smtp.mta_sts_max_age_days * 86400;
  // RFC 8461 §3.2: CRLF line endings are what the ABNF asks for
  return ['version: STSv1', `mode: ${config.smtp.mta_sts_policy}`, `mx: ${config.hostname.replace(/\.$/, '')}`, `max_age: ${maxAge}`, ''].join('\r\n');
}

/** the policy id for the `_mta-sts` TXT record: 1 to 32 alphanumerics, from the text */
export function ownPolicyId(config: Config): string {
  return createHash('sha256').update(ownPolicyText(config)).digest('hex').slice(0, 20);
}
